package io.cdpaccess.doctor;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * cURL's {@code CURLOPT_SSL_VERIFYPEER} off with {@code CURLOPT_SSL_VERIFYHOST} on, in the JDK:
 * any chain is accepted, but the certificate must name the host. A trust-all manager would skip
 * the host-name check too, and a hand-written host-name matcher would differ from the JDK's in
 * corner cases (wildcards, IP literals); so for each handshake this builds a PKIX trust manager
 * whose only trust anchor is the leaf the server presented and lets it check the chain (trivially
 * trusted) and the identity (the socket's endpoint identification algorithm, {@code HTTPS}).
 *
 * <p>One instance serves one connection: it remembers the certificate presented and why it was
 * refused, for the report.
 */
final class LeafAnchoredTrustManager extends X509ExtendedTrustManager {

    private volatile X509Certificate presented;
    private volatile String refusal;

    Optional<PeerCertificate> presented() {
        return Optional.ofNullable(presented).map(PeerCertificate::of);
    }

    /** Why the certificate was refused (it does not name the host), if it was. */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        X509ExtendedTrustManager delegate = anchoredAt(chain);
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refusal = e.getMessage();
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        X509ExtendedTrustManager delegate = anchoredAt(chain);
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refusal = e.getMessage();
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        // Without a socket there is no host to check: never used by this client's sockets.
        throw new CertificateException("a host-name check needs the connection");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("this client does not accept client connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("this client does not accept client connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this client does not accept client connections");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private X509ExtendedTrustManager anchoredAt(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        presented = chain[0];
        try {
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(Set.of(new TrustAnchor(chain[0], null)), null);
            // Revocation lists would be fetched from the network for a certificate nobody vouches for.
            parameters.setRevocationEnabled(false);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(parameters));
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new CertificateException("the JDK offers no PKIX trust manager");
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot check the certificate: " + e.getMessage(), e);
        }
    }
}
