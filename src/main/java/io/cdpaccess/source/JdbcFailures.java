package io.cdpaccess.source;

import com.zaxxer.hikari.SQLExceptionOverride;
import io.cdpaccess.config.Secret;
import io.cdpaccess.protocol.Texts;
import io.cdpaccess.protocol.UnsafeText;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

/**
 * What a JDBC failure means for a lookup against a database source ({@code redcapdb}, {@code sql}),
 * and how it is told in one safe line: a timeout is not a broken connection (asking again only
 * waits again), and a driver's message never carries the password or the URL's credentials.
 */
public final class JdbcFailures {

    private JdbcFailures() {}

    /** A statement stopped by its timeout (PostgreSQL says 57014, MariaDB 70100) or a silent socket. */
    public static boolean timedOut(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLException s && ("57014".equals(s.getSQLState()) || "70100".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** A connection that failed as a connection (not a statement that failed on a live one). */
    public static boolean brokenConnection(SQLException e) {
        if (timedOut(e) || e instanceof SQLTransientConnectionException) {
            return false; // a hung server or an empty pool: asking again only waits again
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLNonTransientConnectionException
                    || t instanceof IOException
                    || (t instanceof SQLException s
                            && s.getSQLState() != null
                            && (s.getSQLState().startsWith("08")
                                    || s.getSQLState().equals("57P01")))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The innermost cause's first line, escaped, the password masked (should a driver ever echo
     * it), and the URL shown without parameters or credentials, also in the form the driver was
     * given ({@code driverUrl}: HikariCP names the whole URL when the driver refuses it).
     */
    public static String oneLine(Throwable e, Secret password, String url, String driverUrl) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        message = message.lines().findFirst().orElse(message);
        if (!password.isEmpty()) {
            message = message.replace(password.reveal(), "****");
        }
        message = message.replace(driverUrl, describe(url)).replace(url, describe(url));
        return UnsafeText.escape(Texts.truncate(message, 300));
    }

    /**
     * The URL without parameters or credentials, for messages: {@code jdbc:postgresql://db/ctms};
     * Oracle's {@code user/password@} form too.
     */
    public static String describe(String url) {
        String withoutParams = url.split("[;?]", 2)[0];
        return withoutParams.replaceAll("//[^@/]*@", "//").replaceAll("^(jdbc:oracle:[a-z]+:)[^@]*@", "$1@");
    }

    /** Connection failures make HikariCP drop the connection, whatever state code the driver gave. */
    public static final class EvictBrokenConnections implements SQLExceptionOverride {
        @java.lang.Override // a plain @Override would name SQLExceptionOverride.Override here
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLNonTransientConnectionException || t instanceof IOException) {
                    return SQLExceptionOverride.Override.MUST_EVICT;
                }
            }
            return SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }
}
