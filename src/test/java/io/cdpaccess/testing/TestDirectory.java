package io.cdpaccess.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldif.LDIFReader;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;

/**
 * UnboundID's in-memory directory server on loopback, loaded from LDIF: the directory the
 * {@code ldap} source is tested against. Without a schema ({@code setSchema(null)}), so that
 * Active Directory's attributes ({@code sAMAccountName}, {@code userAccountControl}) and
 * OpenLDAP's ({@code memberOf}, {@code pwdAccountLockedTime}) can sit side by side; searches need
 * a bind (as {@link #BIND_DN}), as a real directory's would.
 */
public final class TestDirectory implements AutoCloseable {

    public static final String BIND_DN = "cn=cdp-access,ou=services,dc=example,dc=org";
    public static final String BIND_PASSWORD = "bind-secret-7f3a";

    private final InMemoryDirectoryServer server;

    private TestDirectory(InMemoryDirectoryServer server) {
        this.server = server;
    }

    /** How the directory listens. */
    public enum Listener {
        /** {@code ldap://}, no TLS. */
        PLAIN,
        /** {@code ldap://} that offers StartTLS with the given certificate. */
        START_TLS,
        /** {@code ldaps://} with the given certificate. */
        LDAPS
    }

    /** Starts a plain {@code ldap://} directory holding {@code ldif} under {@code baseDns}. */
    public static TestDirectory start(String ldif, String... baseDns) throws LDAPException {
        return start(ldif, List.of(), Listener.PLAIN, Optional.empty(), baseDns);
    }

    /**
     * Starts a directory holding {@code ldif} under {@code baseDns}, with {@code interceptors}
     * in front of it, listening as {@code listener} (TLS with {@code certificate}).
     */
    public static TestDirectory start(
            String ldif,
            List<InMemoryOperationInterceptor> interceptors,
            Listener listener,
            Optional<SelfSignedCertificate> certificate,
            String... baseDns)
            throws LDAPException {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(baseDns);
        config.setSchema(null); // AD's attributes are in no schema the server knows
        config.addAdditionalBindCredentials(BIND_DN, BIND_PASSWORD);
        config.setAuthenticationRequiredOperationTypes(OperationType.SEARCH, OperationType.COMPARE);
        interceptors.forEach(config::addInMemoryOperationInterceptor);
        config.setListenerConfigs(listener(listener, certificate));
        InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, new LDIFReader(new ByteArrayInputStream(ldif.getBytes(StandardCharsets.UTF_8))));
        server.startListening();
        return new TestDirectory(server);
    }

    private static InMemoryListenerConfig listener(Listener listener, Optional<SelfSignedCertificate> certificate)
            throws LDAPException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        if (listener == Listener.PLAIN) {
            return InMemoryListenerConfig.createLDAPConfig("ldap", loopback, 0, null);
        }
        SelfSignedCertificate cert = certificate.orElseThrow();
        try {
            SSLUtil serverSsl = new SSLUtil(
                    new KeyStoreKeyManager(
                            cert.pkcs12().toFile(), cert.password().toCharArray(), "PKCS12", "server"),
                    null);
            if (listener == Listener.START_TLS) {
                return InMemoryListenerConfig.createLDAPConfig("ldap", loopback, 0, serverSsl.createSSLSocketFactory());
            }
            return InMemoryListenerConfig.createLDAPSConfig(
                    "ldaps", loopback, 0, serverSsl.createSSLServerSocketFactory(), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the test certificate: " + e, e);
        }
    }

    public int port() {
        return server.getListenPort();
    }

    /** {@code scheme://host:port} of the listener. */
    public String url(String scheme, String host) {
        return scheme + "://" + host + ":" + port();
    }

    /** {@code ldap://127.0.0.1:port}. */
    public String url() {
        return url("ldap", "127.0.0.1");
    }

    /** The server itself, for interceptors that look entries up and for changes during a test. */
    public InMemoryDirectoryServer server() {
        return server;
    }

    /** Stops listening and closes every client connection: a directory that went down. */
    public void stop() {
        server.shutDown(true);
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
