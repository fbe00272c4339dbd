package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.chain.ChainHash;
import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.chain.Hash;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.TestClock;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints as a running server emits them: signed, to the log, a file and a syslog server. */
class CheckpointerTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final AtomicReference<Optional<ChainHead>> head = new AtomicReference<>(Optional.empty());

    private static ChainHead headAt(long seq) {
        return new ChainHead("01JCHAIN", seq, ChainHash.of(Hash.NONE, "decisions", List.of(seq)));
    }

    @Test
    void aCheckpointIsEmittedWhenTheHeadMovedAndOnceMoreAtCloseToEverySink() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        Path file = dir.resolve("checkpoints.jsonl");
        try (CapturedLog log = CapturedLog.named("cdp-access.checkpoint");
                DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(5_000);
            Checkpointer checkpointer = new Checkpointer(
                    List.of(new Checkpointer.Writer("decisions", head::get)),
                    keys::current,
                    Checkpointer.sinks(
                            true, Optional.of(file), Optional.of(new HostPort("127.0.0.1", syslog.getLocalPort()))),
                    clock,
                    Duration.ZERO);

            assertThat(checkpointer.emitNow(false))
                    .as("no record yet, nothing to commit to")
                    .isZero();
            head.set(Optional.of(headAt(3)));
            assertThat(checkpointer.emitNow(false)).isEqualTo(1);
            assertThat(checkpointer.emitNow(false)).as("the head did not move").isZero();
            head.set(Optional.of(headAt(9)));
            clock.advance(Duration.ofMinutes(5));
            checkpointer.close();

            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(2);
            Checkpoint last = Checkpoint.find(lines.get(1)).orElseThrow();
            assertThat(last.records()).isEqualTo(9);
            assertThat(last.last()).as("emitted at close: the writer is done").isTrue();
            assertThat(Checkpoint.find(lines.get(0)).orElseThrow().last()).isFalse();
            assertThat(last.head()).isEqualTo(headAt(9).hash());
            assertThat(last.time()).isEqualTo(clock.instant());
            assertThat(last.signedBy(keys.publicKeys())).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");

            assertThat(log.at(Level.INFO))
                    .hasSize(2)
                    .allSatisfy(l -> assertThat(Checkpoint.find(l)).isPresent());

            DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
            syslog.receive(packet);
            String message = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            assertThat(message).startsWith("<85>1 2026-12-01T10:00:00Z - cdp-access ");
            assertThat(Checkpoint.find(message).orElseThrow().records()).isEqualTo(3);
        }
    }

    @Test
    void aSinkThatFailsIsLoggedAndTheOthersStillGetTheCheckpoint() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        Path file = dir.resolve("checkpoints.jsonl");
        head.set(Optional.of(headAt(1)));
        Checkpointer.Sink broken = new Checkpointer.Sink() {
            @Override
            public void emit(Checkpoint checkpoint) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }

            @Override
            public String name() {
                return "a broken sink";
            }
        };
        try (CapturedLog log = CapturedLog.named("cdp-access.checkpoint")) {
            new Checkpointer(
                            List.of(new Checkpointer.Writer("decisions", head::get)),
                            keys::current,
                            List.of(broken, Checkpointer.file(file)),
                            clock,
                            Duration.ZERO)
                    .close();
            assertThat(log.at(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("a broken sink")
                    .contains("disk full");
        }
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void withoutAKeyNothingIsSignedAndTheLogSaysWhy() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        head.set(Optional.of(headAt(1)));
        try (CapturedLog log = CapturedLog.named("cdp-access.checkpoint")) {
            Checkpointer checkpointer = new Checkpointer(
                    List.of(new Checkpointer.Writer("changes", head::get)),
                    () -> keys.existing().orElseThrow(() -> new java.io.IOException("no key yet")),
                    List.of(Checkpointer.file(dir.resolve("c.jsonl"))),
                    clock,
                    Duration.ZERO);
            assertThat(checkpointer.emitNow(true)).isZero();
            assertThat(log.at(Level.WARN)).singleElement().asString().contains("cannot sign (no key yet)");
        }
        assertThat(dir.resolve("c.jsonl")).doesNotExist();
    }

    @Test
    void aKeyIsMadeOwnerOnlyOnceAndReadBackTheSame() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        assertThat(keys.existing()).isEmpty();
        CheckpointKeys.SigningKey made = keys.current();
        CheckpointKeys.SigningKey read = new CheckpointKeys(dir.resolve("data")).current();

        assertThat(read.id()).isEqualTo(made.id()).matches("[0-9a-f]{16}");
        assertThat(read.publicKey()).isEqualTo(made.publicKey());
        Path key = keys.directory().resolve("checkpoint-" + made.id() + ".key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.directory())))
                .isEqualTo("rwx------");
        assertThat(CheckpointKeys.readPublicKey(CheckpointKeys.publicPem(made.publicKey()), "pem"))
                .isEqualTo(made.publicKey());
    }

    @Test
    void aCheckpointInALineOfAnyLogIsFoundAndAGarbledOneIsNamed() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        Checkpoint c = Checkpoint.sign("decisions", headAt(5), clock.instant(), false, keys.current());
        String journalLine =
                "Dec 01 10:00:00 host java[4242]: 10:00:00.000 INFO  cdp-access.checkpoint - checkpoint " + c.json();

        assertThat(Checkpoint.find(journalLine)).contains(c);
        assertThat(Checkpoint.find("an ordinary log line")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Checkpoint.find("{\"type\":\"cdp-access-checkpoint\",\"table\":\"decisions\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be read");
        assertThat(c.signedText())
                .isEqualTo("cdp-access checkpoint 1\ntable: decisions\nchain: 01JCHAIN\nrecords: 5\nhead: "
                        + headAt(5).hash() + "\ntime: 2026-12-01T10:00:00Z\nlast: no\nkey: " + c.keyId() + "\n");
    }
}
