package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server checkpoints its chains: its key is made at the first start, and when it stops
 * its last checkpoint commits to every decision it recorded, which the database must still hold.
 */
class ServerCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void theLastCheckpointAtStopCommitsToEveryDecisionRecorded() throws Exception {
        RedcapClient redcap = new RedcapClient();
        Path file = dir.resolve("checkpoints.jsonl");
        String yaml =
                ServiceUnderTest.prodConfig("audit: {checkpoint_every: 1h, checkpoint_file: ./checkpoints.jsonl}\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml)) {
            service.grant("prod", "alice", 42, Optional.empty());
            String url = service.url(ServiceUnderTest.PROD_SECRET);
            assertThat(redcap.userAccess(url, "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "bob", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("0");
            assertThat(file).as("nothing before the hour or the stop").doesNotExist();
        }

        List<Checkpoint> checkpoints = Files.readAllLines(file).stream()
                .map(l -> Checkpoint.find(l).orElseThrow())
                .toList();
        assertThat(checkpoints).extracting(Checkpoint::table).containsExactlyInAnyOrder("decisions", "changes");
        Checkpoint decisions = checkpoints.stream()
                .filter(c -> c.table().equals("decisions"))
                .findFirst()
                .orElseThrow();
        assertThat(decisions.records()).isEqualTo(2);
        CheckpointKeys keys = new CheckpointKeys(dir.resolve("data"));
        assertThat(decisions.keyId()).isEqualTo(keys.existing().orElseThrow().id());
        try (io.cdpaccess.db.Database db = io.cdpaccess.db.Database.open(
                ServiceUnderTest.load(dir, yaml, java.util.Map.of()).store(), "test")) {
            AuditVerifier verifier = new AuditVerifier(db.dataSource());
            assertThat(verifier.checkpoints(checkpoints, keys.publicKeys())).isEmpty();
            assertThat(verifier.verify(Optional.empty(), n -> {}).verifies()).isTrue();
        }
    }
}
