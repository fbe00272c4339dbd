package io.cdpaccess.source.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import io.cdpaccess.config.Durations;
import io.cdpaccess.protocol.Texts;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.source.SourceException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Turns the SDK's exceptions into the one line an operator reads in the log, in {@code sources
 * test} and in a decision's explanation: what failed, where, and what to check. The SDK's own
 * messages are long, can span lines and quote the server; only its result code and a bounded,
 * escaped diagnostic are kept. No message names a password: none is ever given to one.
 */
final class LdapFailures {

    private static final int MAX_DETAIL = 160;

    private final String source;
    private final String urls;
    private final Duration timeout;

    LdapFailures(String source, String urls, Duration timeout) {
        this.source = source;
        this.urls = urls;
        this.timeout = timeout;
    }

    /** A failure while {@code doing} (e.g. "searching ou=people,dc=example,dc=edu for the user"). */
    SourceException of(String doing, LDAPException e) {
        ResultCode code = e.getResultCode();
        String what = "ldap source '" + source + "' ";
        if (ResultCode.TIMEOUT.equals(code)) {
            return new SourceException(
                    what + "got no answer from " + urls + " within " + Durations.format(timeout) + " while " + doing
                            + "; check that the directory is up, or raise the source's timeout",
                    e);
        }
        if (e instanceof LdapConnections.TlsFailure || causedByTls(e)) {
            return new SourceException(
                    what + "could not set up TLS with " + urls + " (" + detail(e)
                            + "); check trust_store holds the directory's CA and the URL's host is in its certificate",
                    e);
        }
        if (ResultCode.CONNECT_ERROR.equals(code) || ResultCode.SERVER_DOWN.equals(code)) {
            return new SourceException(
                    what + "cannot reach the directory at " + urls + " (" + detail(e)
                            + "); check url, the network and that the directory is up",
                    e);
        }
        if (ResultCode.INVALID_CREDENTIALS.equals(code)) {
            return new SourceException(
                    what + "was refused the bind by " + urls
                            + " (invalid credentials); check bind_dn and bind_password",
                    e);
        }
        if (ResultCode.CONFIDENTIALITY_REQUIRED.equals(code)
                || ResultCode.STRONG_AUTH_REQUIRED.equals(code)
                || ResultCode.INAPPROPRIATE_AUTHENTICATION.equals(code)) {
            return new SourceException(
                    what + "was refused by " + urls + " (" + code.getName()
                            + "); the directory wants TLS: use ldaps:// or start_tls: true",
                    e);
        }
        if (ResultCode.NO_SUCH_OBJECT.equals(code)) {
            return new SourceException(
                    what + "found no such base entry while " + doing + "; check user_base and group_base", e);
        }
        if (ResultCode.INSUFFICIENT_ACCESS_RIGHTS.equals(code)) {
            return new SourceException(
                    what + "may not read what it needs while " + doing + "; give bind_dn read access there", e);
        }
        return new SourceException(what + "failed while " + doing + ": " + code.getName() + " (" + detail(e) + ")", e);
    }

    /**
     * The server's diagnostic, else the innermost cause the SDK wrapped (such as {@code
     * ConnectException: Connection refused}), else the SDK's message: escaped into one bounded line.
     */
    static String detail(LDAPException e) {
        String text = e.getDiagnosticMessage();
        if (text == null || text.isBlank()) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text = root == e || root instanceof LDAPException
                    ? (e.getMessage() == null ? e.getResultCode().getName() : e.getMessage())
                    : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
        return UnsafeText.escape(Texts.truncate(text.strip(), MAX_DETAIL));
    }

    private static boolean causedByTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }
}
