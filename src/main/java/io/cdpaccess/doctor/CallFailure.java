package io.cdpaccess.doctor;

import java.util.Optional;

/**
 * Why a call got no HTTP answer REDCap could read, in the terms an administrator can act on.
 *
 * @param kind what went wrong
 * @param url where (the hop that failed)
 * @param detail the underlying error's text
 * @param certificate the certificate presented, when the failure came after the server sent one
 */
public record CallFailure(Kind kind, ServiceUrl url, String detail, Optional<PeerCertificate> certificate) {

    /** The failures an administrator would fix differently. */
    public enum Kind {
        REFUSED,
        UNKNOWN_HOST,
        CONNECT_TIMEOUT,
        ANSWER_TIMEOUT,
        TLS_HANDSHAKE,
        HOST_NAME_NOT_IN_CERTIFICATE,
        PLAIN_HTTP_TO_HTTPS_PORT,
        HTTPS_TO_PLAIN_HTTP_PORT,
        NO_ANSWER,
        TOO_MANY_REDIRECTS,
        BAD_REDIRECT,
        OTHER
    }
}
