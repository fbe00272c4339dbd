package io.cdpaccess.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.RedirectingServer;
import io.cdpaccess.testing.SelfSignedCertificate;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code doctor} tells an administrator about a URL, whichever implementation runs it: the
 * Java command ({@link JavaDoctorTest}) and the PHP script for REDCap hosts without Java
 * ({@link PhpDoctorTest}) must say the same and exit the same. Against the real service over
 * HTTP and HTTPS (a certificate that names 127.0.0.1 and one that does not), through redirecting
 * servers, with wrong and mangled secrets, an unknown {@code redcap_url} and a closed port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DoctorContract {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String PROD = ServiceUnderTest.PROD_URL;
    static final String TEST_SECRET = "test-secret-9876543210-ZYXWVUTSRQ";

    private ServiceUnderTest http;
    private ServiceUnderTest https;
    private ServiceUnderTest httpsNamingAnotherHost;

    /** Runs the doctor with these arguments, as an administrator would. */
    abstract Cli.Result doctor(String... args) throws Exception;

    @BeforeAll
    void startServices(@TempDir Path dir) throws Exception {
        http = ServiceUnderTest.start(dir.resolve("http"), ServiceUnderTest.prodConfig("""
                  - name: test
                    redcap_url: https://redcap-test.example.edu/
                    secret: %s
                """.formatted(TEST_SECRET)));
        http.grant("prod", "alice", 42, Optional.empty());
        https = tls(dir.resolve("https"), "ip:127.0.0.1");
        https.grant("prod", "alice", 42, Optional.empty());
        httpsNamingAnotherHost = tls(dir.resolve("other"), "dns:other.example");
    }

    private static ServiceUnderTest tls(Path at, String san) throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(at.resolve("certs"), "EC", san);
        return ServiceUnderTest.start(
                at,
                ServiceUnderTest.prodConfig("""
                        tls:
                          certificate: %s
                          private_key: %s
                        """.formatted(cert.certificatePem(), cert.privateKeyPem())),
                Map.of(),
                java.time.Clock.systemUTC());
    }

    @AfterAll
    void stopServices() {
        for (ServiceUnderTest s : new ServiceUnderTest[] {http, https, httpsNamingAnotherHost}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static String[] sample(String url, String user, String redcapUrl) {
        return new String[] {url, "--redcap-url", redcapUrl, "--user", user, "--project-id", "42"};
    }

    @Test
    void aWorkingHttpUrlWithAnAllowedUserExitsZeroAndSaysRedcapWouldStoreOne() throws Exception {
        Cli.Result r = doctor(sample(http.url(SECRET), "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("ok: the Test button's empty POST was answered 200 0, as a working service answers it")
                .containsPattern("info: Test button's empty POST: 200 \"0\".* in \\d+ ms; the DDP Test button would"
                        + " show Success!")
                .contains("ok: the service allows alice in project 42 (grant)")
                .contains("REDCap sets no total timeout")
                .contains("REDCap would store 1")
                .contains("result: REDCap's calls to this URL would work")
                .doesNotContain("problem:")
                .doesNotContain(SECRET);
    }

    @Test
    void aUserThePolicyDeniesIsAWorkingCallReportedNotAnError() throws Exception {
        Cli.Result r = doctor(sample(http.url(SECRET), "bob", PROD));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("info: the service denies bob in project 42 (no-grant): a working call")
                .contains("REDCap would store 0")
                .doesNotContain("problem:");
    }

    @Test
    void withoutASampleOnlyTheTestButtonsPostIsSent() throws Exception {
        Cli.Result r = doctor(http.url(SECRET));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("REDCap would store 0").doesNotContain("sample POST");
    }

    @Test
    void httpsWithACertificateNamingTheHostWorksAndShowsItsNamesAndExpiry() throws Exception {
        Cli.Result r = doctor(sample(https.url(SECRET), "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .containsPattern("info: certificate of 127.0.0.1:" + https.port() + ": ip:127.0.0.1; valid until 20")
                .contains("ok: the certificate of 127.0.0.1 names it (REDCap checks the host name, though not the"
                        + " chain)")
                .contains("REDCap would store 1");
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsAProblemNamingWhatItCovers() throws Exception {
        Cli.Result r = doctor(sample(httpsNamingAnotherHost.url(SECRET), "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: the certificate of 127.0.0.1:" + httpsNamingAnotherHost.port()
                        + " does not name 127.0.0.1 (it covers dns:other.example): REDCap checks the host name though"
                        + " not the chain")
                .containsPattern("info: certificate of 127.0.0.1:\\d+: dns:other.example; valid until 20")
                .contains("REDCap would store 0")
                .contains("result: REDCap's calls to this URL would not work");
    }

    @Test
    void aRedirectThatDropsTheBodyIsAProblemNamingTheUrlToPaste() throws Exception {
        try (RedirectingServer proxy = RedirectingServer.start(302, https.url(SECRET))) {
            Cli.Result r = doctor(sample(proxy.url("/user-access?secret=" + SECRET), "alice", PROD));

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out())
                    .contains("problem: redirect 302 from http://127.0.0.1:")
                    .contains("301/302/303 makes REDCap re-send without the body: every user is denied while the"
                            + " Test button shows Success! — paste the final https:// URL into REDCap: https://127.0.0.1:"
                            + https.port() + "/user-access?secret=***")
                    // The service names what arrived: no body, a Referer (404, so the Test button fails too).
                    .contains("problem: the service got the call without its body after a redirect")
                    .contains("the DDP Test button would show an error")
                    .contains("REDCap would store 0")
                    .doesNotContain(SECRET);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {307, 308})
    void aRedirectThatKeepsTheBodyWorksButNamesTheUrlToPaste(int status) throws Exception {
        try (RedirectingServer proxy = RedirectingServer.start(status, http.url(SECRET))) {
            Cli.Result r = doctor(sample(proxy.url("/user-access?secret=" + SECRET), "alice", PROD));

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out())
                    .contains("info: redirect " + status + " from http://127.0.0.1:")
                    .contains("307/308 keep the method and body")
                    .contains("ok: the service allows alice in project 42 (grant)")
                    .contains("REDCap would store 1");
        }
    }

    @Test
    void basicCredentialsAreNotSentOnToAnotherPort() throws Exception {
        try (RedirectingServer proxy = RedirectingServer.start(307, http.base() + "/user-access")) {
            String url = proxy.url("/user-access?secret=" + SECRET)
                    .replace("http://", "http://redcap:" + SECRET + "@")
                    .replace("?secret=" + SECRET, "");
            Cli.Result r = doctor(url);

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out())
                    .contains("problem: the redirect to 127.0.0.1:" + http.port()
                            + " changes the scheme, host or port, so cURL does not send the user:pass@ credentials")
                    .contains("wrong or missing")
                    .doesNotContain(SECRET);
        }
    }

    @Test
    void basicCredentialsFromTheUrlAreSentAsRedcapSendsThem() throws Exception {
        Cli.Result r = doctor(sample(
                http.base().replace("http://", "http://redcap:" + SECRET + "@") + "/user-access", "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("info: the URL carries user:pass@ credentials")
                .contains("REDCap would store 1")
                .contains("http://redcap:***@127.0.0.1:")
                .doesNotContain(SECRET);
    }

    @Test
    void aWrongSecretIsAProblemAndTheTestButtonFails() throws Exception {
        Cli.Result r = doctor(sample(http.url("wrong-secret-0123456789"), "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: the service refused the secret (unauthenticated): the secret in the URL is wrong"
                        + " or missing")
                .containsPattern("info: Test button's empty POST: 404 \"0\" \\(X-Decision-Reason: unauthenticated\\)"
                        + " in \\d+ ms; the DDP Test button would show an error")
                .contains("REDCap would store 0");
    }

    @Test
    void aPlusInTheSecretIsFoundFromTheUrlAndArrivesAsASpace() throws Exception {
        String plus = SECRET.replace('-', '+');
        Cli.Result r = doctor(sample(http.url(plus), "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: the secret contains '+', which arrives as a space")
                .contains("openssl rand -base64 32 | tr '+/' '-_' | tr -d '='")
                .contains("the service refused the secret (unauthenticated)")
                .doesNotContain(plus);
    }

    @Test
    void aRedcapUrlTheSecretsInstanceDoesNotHaveIsAnInstanceMismatch() throws Exception {
        Cli.Result r = doctor(sample(http.url(SECRET), "alice", "https://redcap-test.example.edu/"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: the service does not accept redcap_url https://redcap-test.example.edu/ with this"
                        + " secret (instance-mismatch)")
                .contains("REDCap would store 0");
    }

    @Test
    void aClosedPortCannotBeConnectedTo() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Cli.Result r = doctor(sample("http://127.0.0.1:" + closed + "/user-access?secret=" + SECRET, "alice", PROD));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: cannot connect to 127.0.0.1:" + closed + ": connection refused")
                .contains("the DDP Test button would show an error")
                .contains("REDCap would store 0")
                .doesNotContain("sample POST");
    }

    @Test
    void plainHttpToTheHttpsPortAndTheReverseAreNamed() throws Exception {
        Cli.Result toHttps = doctor(https.url(SECRET).replace("https://", "http://"));
        assertThat(toHttps.exitCode()).as(toHttps.toString()).isEqualTo(1);
        assertThat(toHttps.out())
                .contains("problem: cannot connect: 127.0.0.1:" + https.port()
                        + " speaks HTTPS but the URL says http:// (plain HTTP spoken to an HTTPS port): use https://");

        Cli.Result toHttp = doctor(http.url(SECRET).replace("http://", "https://"));
        assertThat(toHttp.exitCode()).as(toHttp.toString()).isEqualTo(1);
        assertThat(toHttp.out())
                .contains("problem: cannot connect: 127.0.0.1:" + http.port()
                        + " speaks plain HTTP but the URL says https:// (TLS spoken to a plain HTTP port)");
    }

    @Test
    void aWrongPathIsA404WithoutADecisionId() throws Exception {
        Cli.Result r = doctor(http.base() + "/user-acess?secret=" + SECRET);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("problem: 404 without X-Decision-Id: nothing answers at /user-acess");
    }

    @Test
    void mangledPasswordsAreFoundFromTheUrlAlone() throws Exception {
        Cli.Result r = doctor("http://redcap:p@ss%zz@127.0.0.1:1/user-access");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("problem: the password in user:pass@ contains '@'")
                .doesNotContain("p@ss");
    }

    @Test
    void theSampleOptionsGoTogether() throws Exception {
        Cli.Result r = doctor(http.url(SECRET), "--user", "alice");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--redcap-url").contains("--project-id");
    }
}
