package io.cdpaccess.tls;

import io.cdpaccess.config.TlsConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The one line {@code config validate} prints about HTTPS: which names the certificate covers and
 * when it expires, since those are what break REDCap's calls (it checks the host name, not the
 * chain). Reads what is configured, checking key and certificate as {@code serve} would, and never
 * makes the self-signed certificate: that is for {@code serve} to do.
 */
public final class CertificateSummary {

    static final String REDCAP_NOTE =
            "REDCap checks only that the certificate names the host in its URL (not who issued it)";

    private CertificateSummary() {}

    /**
     * One line about the certificate {@code tls} configures.
     *
     * @throws IllegalArgumentException when the keystore or PEM files cannot be used, with the
     *     message {@code serve} would stop with
     */
    public static String describe(TlsConfig tls, Clock clock) {
        if (tls.selfSigned().isPresent()) {
            TlsConfig.SelfSigned config = tls.selfSigned().get();
            SelfSignedCertificates.Kept kept = SelfSignedCertificates.inspect(config, clock);
            if (kept instanceof SelfSignedCertificates.Kept.Fit fit) {
                return "tls: self-signed certificate " + SelfSignedCertificates.certificateFile(config) + " "
                        + namesAndExpiry(fit.keys().certificate(), clock) + "; " + REDCAP_NOTE;
            }
            String hosts = String.join(", ", config.hosts());
            return kept instanceof SelfSignedCertificates.Kept.Unfit unfit
                    ? "tls: the self-signed certificate in " + config.directory() + " will be made anew for " + hosts
                            + " on the next start, because " + unfit.reason() + "; " + REDCAP_NOTE
                    : "tls: a self-signed certificate for " + hosts + " will be made in " + config.directory()
                            + " on first start; " + REDCAP_NOTE;
        }
        ServerKeys keys = ServerKeys.read(tls);
        Path file = tls.keystore().or(tls::certificate).orElseThrow();
        return "tls: certificate " + file + " " + namesAndExpiry(keys.certificate(), clock) + "; " + REDCAP_NOTE;
    }

    /** "names a, b; expires 2027-06-30 (412 days left)", or "... (EXPIRED)". */
    static String namesAndExpiry(X509Certificate certificate, Clock clock) {
        List<String> names = CertificateNames.of(certificate);
        Instant end = certificate.getNotAfter().toInstant();
        Instant now = clock.instant();
        String left = end.isAfter(now) ? Duration.between(now, end).toDays() + " days left" : "EXPIRED";
        return (names.isEmpty() ? "names no host" : "names " + String.join(", ", names)) + "; expires " + date(end)
                + " UTC (" + left + ")";
    }

    /** The UTC date of an instant, ISO form. */
    static String date(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC).toString();
    }
}
