package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.testing.RedcapClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only what the warm-up sends in-process is a rehearsal: a request from the network, whatever it
 * says, never is, and once the rehearsals are over the in-process connector is gone for good.
 */
class RehearsalsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Server server = new Server();
    private final Rehearsals rehearsals = new Rehearsals(server);
    private ServerConnector network;

    /** Answers whether the request was marked a rehearsal, as /user-access decides by it. */
    private static final class SaysWhetherMarked extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            boolean marked = Boolean.TRUE.equals(request.getAttribute(Rehearsals.ATTRIBUTE));
            response.setStatus(200);
            response.write(
                    true,
                    java.nio.ByteBuffer.wrap((marked ? "rehearsal" : "network").getBytes(StandardCharsets.US_ASCII)),
                    callback);
            return true;
        }
    }

    @BeforeEach
    void start() throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        network = new ServerConnector(server, new HttpConnectionFactory(http));
        network.setHost("127.0.0.1");
        network.setPort(0);
        server.addConnector(network);
        rehearsals.setHandler(new SaysWhetherMarked());
        server.setHandler(rehearsals);
        server.start();
        rehearsals.speaking(new HttpConnectionFactory(http));
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private static String get(String marker) {
        return "GET /user-access HTTP/1.1\r\nHost: localhost\r\n" + marker + "Connection: close\r\n\r\n";
    }

    private String overTheNetwork() {
        return new RedcapClient()
                .send("GET", "http://127.0.0.1:" + network.getLocalPort() + "/user-access", new byte[0], null)
                .body();
    }

    @Test
    void onlyWhatIsSentInProcessIsMarkedAndTheNetworkNeverIs() throws Exception {
        assertThat(rehearsals.send(get(""), TIMEOUT)).endsWith("rehearsal");
        assertThat(overTheNetwork()).isEqualTo("network");
        // The in-process connector came after the network's: that one stays the server's first.
        assertThat(server.getConnectors()).hasSize(2).startsWith(network);
    }

    @Test
    void onceOverTheInProcessConnectorIsGoneForGood() throws Exception {
        assertThat(rehearsals.send(get(""), TIMEOUT)).endsWith("rehearsal");
        rehearsals.close();

        assertThat(server.getConnectors()).containsExactly(network);
        assertThatThrownBy(() -> rehearsals.send(get(""), TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("over");
        assertThat(overTheNetwork()).isEqualTo("network");
        rehearsals.close(); // twice is harmless
    }

    @Test
    void beforeTheListenerSaysHowToSpeakThereIsNoRehearsal() throws Exception {
        Rehearsals unready = new Rehearsals(server);
        assertThatThrownBy(() -> unready.send(get(""), TIMEOUT)).isInstanceOf(IllegalStateException.class);
        assertThat(server.getConnectors()).containsExactly(network);
    }
}
