package io.cdpaccess.ops;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.cdpaccess.protocol.UnsafeText;

/**
 * {@code %escapedEx}: stack traces as Logback prints them, with each exception's message escaped
 * as {@link EscapedMessageConverter} escapes log messages. A library's exception message can carry
 * what a client sent (a header value, a path); the lines between frames stay real line breaks.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(new Escaped(proxy));
    }

    /** The same throwable, its messages and its causes' messages escaped. */
    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {

        private static IThrowableProxy of(IThrowableProxy proxy) {
            return proxy == null ? null : new Escaped(proxy);
        }

        @Override
        public String getMessage() {
            String message = proxy.getMessage();
            return message == null ? null : UnsafeText.escape(message);
        }

        @Override
        public String getOverridingMessage() {
            String message = proxy.getOverridingMessage();
            return message == null ? null : UnsafeText.escape(message);
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = of(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
