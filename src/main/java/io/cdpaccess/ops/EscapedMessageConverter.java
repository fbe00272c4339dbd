package io.cdpaccess.ops;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cdpaccess.protocol.UnsafeText;

/**
 * {@code %escapedMsg}: the log message with every character {@link UnsafeText} calls unsafe
 * escaped, for every logger. The service's own lines quote outside text already ({@link LogText})
 * and pass through unchanged; libraries do not: Jetty warns {@code Bad port [...]} with the
 * bytes of a client's {@code Host} header, C1 controls and U+202E included, and a terminal
 * following that log would obey them.
 */
public final class EscapedMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return UnsafeText.escape(event.getFormattedMessage());
    }
}
