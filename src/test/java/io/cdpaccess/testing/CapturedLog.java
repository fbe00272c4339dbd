package io.cdpaccess.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one logger wrote while a test ran, as formatted lines; close it to detach. */
public final class CapturedLog implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLog(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts capturing what {@code source}'s logger writes. */
    public static CapturedLog of(Class<?> source) {
        return new CapturedLog(source.getName());
    }

    /** Starts capturing what the logger of that name writes (for a class this package cannot see). */
    public static CapturedLog named(String logger) {
        return new CapturedLog(logger);
    }

    /** Everything logged so far, with level, message and throwable. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase appends under the appender's own lock
            return List.copyOf(appender.list);
        }
    }

    /** The formatted messages logged at {@code level} so far. */
    public List<String> at(Level level) {
        synchronized (appender) { // AppenderBase appends under the appender's own lock
            return appender.list.stream()
                    .filter(e -> e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
