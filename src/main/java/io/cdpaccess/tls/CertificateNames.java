package io.cdpaccess.tls;

import io.cdpaccess.net.IpAddresses;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The host names a certificate is good for, as a TLS client checking the host name sees them:
 * its DNS and IP subject alternative names, or, only when it has none, its common name. This is
 * the one check REDCap's cURL makes ({@code CURLOPT_SSL_VERIFYHOST}); it does not check the chain.
 */
final class CertificateNames {

    private static final int DNS = 2;
    private static final int IP = 7;

    private CertificateNames() {}

    /** DNS and IP names in certificate order; the CN when there are none; empty when neither. */
    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        for (List<?> entry : alternativeNames(certificate)) {
            Object type = entry.get(0);
            if (type instanceof Integer t && (t == DNS || t == IP)) {
                names.add(entry.get(1).toString());
            }
        }
        if (names.isEmpty()) {
            X500Name subject =
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            for (RDN cn : subject.getRDNs(BCStyle.CN)) {
                names.add(IETFUtils.valueToString(cn.getFirst().getValue()));
            }
        }
        return List.copyOf(names);
    }

    /**
     * Whether a client calling {@code host} (a lower-case DNS name or an IP literal) would accept
     * the certificate's names: an IP only by an IP entry, a DNS name by an equal entry or a
     * wildcard for its first label.
     */
    static boolean covers(X509Certificate certificate, String host) {
        boolean ip = isIpLiteral(host);
        for (List<?> entry : alternativeNames(certificate)) {
            if (!(entry.get(0) instanceof Integer type)) {
                continue;
            }
            String name = entry.get(1).toString();
            if (ip && type == IP && sameAddress(name, host)) {
                return true;
            }
            if (!ip && type == DNS && dnsMatches(name.toLowerCase(Locale.ROOT), host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    private static boolean sameAddress(String a, String b) {
        return address(a).isPresent() && address(a).equals(address(b));
    }

    private static boolean isIpLiteral(String host) {
        return address(host).isPresent();
    }

    private static Optional<InetAddress> address(String text) {
        try {
            return Optional.of(IpAddresses.parseLiteral(text));
        } catch (IllegalArgumentException notAnAddress) {
            return Optional.empty();
        }
    }

    private static Collection<List<?>> alternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
