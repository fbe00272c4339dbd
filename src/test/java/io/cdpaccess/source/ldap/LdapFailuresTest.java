package io.cdpaccess.source.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.ResultCode;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one line an operator reads for each way a directory fails. */
class LdapFailuresTest {

    private final LdapFailures failures = new LdapFailures("dir", "ldaps://dc1:636", Duration.ofMillis(1500));

    private String message(ResultCode code, String diagnostic) {
        LDAPException e = diagnostic == null
                ? new LDAPException(code, "sdk text")
                : new LDAPException(new LDAPResult(1, code, diagnostic, null, (String[]) null, null));
        return failures.of("searching ou=people for the user", e).getMessage();
    }

    @Test
    void eachResultCodeSaysWhatToCheck() {
        assertThat(message(ResultCode.TIMEOUT, null))
                .isEqualTo("ldap source 'dir' got no answer from ldaps://dc1:636 within 1500ms while searching"
                        + " ou=people for the user; check that the directory is up, or raise the source's timeout");
        assertThat(message(ResultCode.CONFIDENTIALITY_REQUIRED, "use TLS"))
                .isEqualTo("ldap source 'dir' was refused by ldaps://dc1:636 (confidentiality required); the"
                        + " directory wants TLS: use ldaps:// or start_tls: true");
        assertThat(message(ResultCode.STRONG_AUTH_REQUIRED, null)).contains("the directory wants TLS");
        assertThat(message(ResultCode.INAPPROPRIATE_AUTHENTICATION, null)).contains("the directory wants TLS");
        assertThat(message(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, null))
                .isEqualTo("ldap source 'dir' may not read what it needs while searching ou=people for the user;"
                        + " give bind_dn read access there");
        assertThat(message(ResultCode.UNWILLING_TO_PERFORM, "no\r\nway"))
                .isEqualTo("ldap source 'dir' failed while searching ou=people for the user: unwilling to perform"
                        + " (no\\r\\nway)");
        assertThat(message(ResultCode.BUSY, null))
                .isEqualTo("ldap source 'dir' failed while searching ou=people for the user: busy (sdk text)");
    }

    @Test
    void aConnectFailureNamesItsInnermostCause() {
        LDAPException e = new LDAPException(
                ResultCode.CONNECT_ERROR,
                "long SDK text",
                new LDAPException(ResultCode.CONNECT_ERROR, "inner", new ConnectException("Connection refused")));

        assertThat(failures.of("connecting", e).getMessage())
                .isEqualTo("ldap source 'dir' cannot reach the directory at ldaps://dc1:636 (ConnectException:"
                        + " Connection refused); check url, the network and that the directory is up");
    }

    @Test
    void aTlsFailureIsRecognisedByItsCause() {
        LDAPException e = new LDAPException(
                ResultCode.CONNECT_ERROR, "handshake", new javax.net.ssl.SSLHandshakeException("PKIX path failed"));

        assertThat(failures.of("connecting", e).getMessage())
                .startsWith("ldap source 'dir' could not set up TLS with ldaps://dc1:636 (SSLHandshakeException:"
                        + " PKIX path failed)");
    }
}
