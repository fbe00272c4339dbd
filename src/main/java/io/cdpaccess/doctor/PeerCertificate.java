package io.cdpaccess.doctor;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a server's certificate says about where it may be used: its subject alternative names
 * (the only names a TLS client checks today) and its expiry. REDCap checks the names but not the
 * chain, so this is what decides whether its calls can connect at all.
 *
 * @param names the subject alternative names as {@code dns:NAME} or {@code ip:ADDRESS}
 * @param subject the subject's distinguished name, for certificates without any
 * @param notAfter the end of its validity
 */
public record PeerCertificate(List<String> names, String subject, Instant notAfter) {

    public PeerCertificate {
        names = List.copyOf(names);
    }

    static PeerCertificate of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    int type = (Integer) entry.get(0);
                    if (type == 2) {
                        names.add("dns:" + entry.get(1));
                    } else if (type == 7) {
                        names.add("ip:" + entry.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable extension names nothing a client could match: report none.
        }
        return new PeerCertificate(
                names,
                certificate.getSubjectX500Principal().getName(),
                certificate.getNotAfter().toInstant());
    }

    /** The names for a person: the SANs, or the subject when there are none. */
    String describeNames() {
        return names.isEmpty() ? "no subject alternative names (subject " + subject + ")" : String.join(", ", names);
    }
}
