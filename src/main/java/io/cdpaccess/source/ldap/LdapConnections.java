package io.cdpaccess.source.ldap;

import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import io.cdpaccess.config.Secret;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/**
 * The directory connections of one source: up to {@code pool_size} idle ones kept, the most
 * recently used handed out first, a new one opened when none is idle (the caller's
 * {@code max_concurrent} bounds how many are open at once).
 *
 * <p>Not the SDK's {@code LDAPConnectionPool}: that pool replaces a broken connection by opening a
 * new one inside {@code release} and {@code getConnection}, so a lookup against a hung directory
 * would wait for a second connect and bind after its own timeout had passed. Here every step of
 * opening a connection after the TCP connect — StartTLS, the bind — waits only for what is left
 * of the lookup's deadline, and a broken connection is just closed.
 */
final class LdapConnections implements AutoCloseable {

    private final ServerSet servers;
    private final Optional<SSLSocketFactory> startTls;
    private final Optional<String> bindDn;
    private final Secret bindPassword;
    private final BlockingDeque<LDAPConnection> idle;
    private volatile boolean closed;

    /**
     * StartTLS failed: the SDK reports a refused certificate or host name as a local error with
     * no TLS exception as its cause, so it is marked here for the message to say "TLS".
     */
    static final class TlsFailure extends LDAPException {
        private static final long serialVersionUID = 1L;

        TlsFailure(LDAPException cause) {
            super(cause.getResultCode(), innermost(cause), cause);
        }

        private static String innermost(LDAPException e) {
            Throwable t = e;
            while (t.getCause() instanceof LDAPException inner && inner != t) {
                t = inner;
            }
            return ((LDAPException) t).getMessage();
        }
    }

    /** A connection and whether it had been used before (then it may have been closed by the server meanwhile). */
    record Taken(LDAPConnection connection, boolean reused) {}

    LdapConnections(
            ServerSet servers,
            Optional<SSLSocketFactory> startTls,
            Optional<String> bindDn,
            Secret bindPassword,
            int poolSize) {
        this.servers = servers;
        this.startTls = startTls;
        this.bindDn = bindDn;
        this.bindPassword = bindPassword;
        this.idle = new LinkedBlockingDeque<>(poolSize);
    }

    /** An idle connection, else a new one: connected (failing over), TLS started, bound, by {@code deadline}. */
    Taken take(long deadline) throws LDAPException {
        if (closed) {
            throw new LDAPException(ResultCode.CONNECT_ERROR, "the source is closed");
        }
        for (LDAPConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            if (c.isConnected()) {
                return new Taken(c, true);
            }
            c.close();
        }
        LDAPConnection c = servers.getConnection();
        try {
            if (startTls.isPresent()) {
                StartTLSExtendedRequest request = new StartTLSExtendedRequest(startTls.get());
                request.setResponseTimeoutMillis(remainingMillis(deadline));
                ExtendedResult result;
                try {
                    result = c.processExtendedOperation(request);
                } catch (LDAPException e) {
                    throw new TlsFailure(e);
                }
                if (!ResultCode.SUCCESS.equals(result.getResultCode())) {
                    throw new TlsFailure(new LDAPException(result));
                }
            }
            if (bindDn.isPresent()) {
                // The one place the password leaves its Secret: to the driver.
                SimpleBindRequest bind = new SimpleBindRequest(bindDn.get(), bindPassword.reveal());
                bind.setResponseTimeoutMillis(remainingMillis(deadline));
                c.bind(bind);
            }
            return new Taken(c, false);
        } catch (LDAPException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Hands a connection back after a lookup; one that failed at the connection level is closed instead. */
    void giveBack(LDAPConnection c, Optional<LDAPException> failure) {
        boolean usable = failure.map(e -> ResultCode.isConnectionUsable(e.getResultCode()))
                .orElse(true);
        if (!usable || closed || !idle.offerFirst(c)) {
            c.close();
        } else if (closed) {
            drain(); // close() ran between the check and the offer
        }
    }

    /**
     * What is left until {@code deadline} (a {@link System#nanoTime} value) in milliseconds, at
     * least 1 (the SDK reads 0 as "no timeout"); none left is a timeout.
     */
    static long remainingMillis(long deadline) throws LDAPException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new LDAPException(ResultCode.TIMEOUT, "the lookup's time is up");
        }
        return left;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        drain();
    }

    private void drain() {
        for (LDAPConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            c.close();
        }
    }
}
