package io.cdpaccess.source.roster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.FactField.Type;
import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceHealth;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.TestClock;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A roster file read into memory: what rules see of a row, and every way a file is refused. */
class RosterClientTest {

    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(T0);
    final List<RosterClient> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(RosterClient::close);
    }

    static RosterSettings settings(Path file, char delimiter, Charset encoding, List<FactField> columns) {
        return new RosterSettings(
                file, "username", columns, delimiter, encoding, ";", CHICAGO, 1_000, Duration.ofHours(1));
    }

    static final List<FactField> TRAINING = List.of(
            new FactField("course", "course", Type.STRING),
            new FactField("expires_on", "Expires On", Type.DATE),
            new FactField("completed_at", "completed_at", Type.TIMESTAMP),
            new FactField("score", "score", Type.INT),
            new FactField("passed", "passed", Type.BOOL),
            new FactField("roles", "roles", Type.LIST));

    RosterClient open(Path file, char delimiter, Charset encoding, List<FactField> columns) {
        RosterClient client = RosterClient.open("training", settings(file, delimiter, encoding, columns), clock);
        opened.add(client);
        return client;
    }

    RosterClient open(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return open(
                file,
                name.endsWith(".tsv") ? '\t' : ',',
                StandardCharsets.UTF_8,
                text.startsWith(HEADER.substring(0, 20).replace(',', name.endsWith(".tsv") ? '\t' : ','))
                        ? TRAINING
                        : List.of(TRAINING.get(0)));
    }

    static SourceKey key(String user) {
        return new SourceKey(user, user, 42, "prod", Optional.empty(), T0);
    }

    static final String HEADER = "username,course,Expires On,completed_at,score,passed,roles,unused\n";

    @Test
    void aRowIsFoundWithEveryTypeAndAnUnknownUserIsNot() throws Exception {
        RosterClient client = open(
                "training.csv",
                HEADER
                        + "Alice,HIPAA 2026,2027-06-30,2026-11-02T14:30:00Z,93,yes,CRC;PI ; ,x\n"
                        + "bob,HIPAA 2026,2026-11-30,2026-11-02 08:00:00,71,false,,y\n");

        SourceAnswer alice = client.lookup(key("alice"));
        assertThat(alice.found()).isTrue();
        assertThat(alice.facts())
                .containsEntry("found", true)
                .containsEntry("course", "HIPAA 2026")
                // A date means the end of that day in the source's zone.
                .containsEntry("expires_on", Instant.parse("2027-07-01T05:00:00Z"))
                .containsEntry("completed_at", Instant.parse("2026-11-02T14:30:00Z"))
                .containsEntry("score", 93L)
                .containsEntry("passed", true)
                .containsEntry("roles", List.of("CRC", "PI"))
                .doesNotContainKey("unused");
        SourceAnswer bob = client.lookup(key("bob"));
        assertThat(bob.facts())
                .containsEntry("completed_at", Instant.parse("2026-11-02T14:00:00Z")) // local time in Chicago
                .containsEntry("passed", false)
                .doesNotContainKey("roles"); // empty: unset, so has() is false
        assertThat(client.lookup(key("carol")).found()).isFalse();
        assertThat(client.lookup(key("carol")).facts()).containsExactly(java.util.Map.entry("found", false));
        assertThat(client.health()).isEqualTo(SourceHealth.current(new SourceHealth.Loaded(T0, 2)));
    }

    @Test
    void keysAreMatchedAsUsernamesAreNormalizedEverywhere() throws Exception {
        RosterClient client = open("users.csv", "username,course\n  ÉMILE.Dupont  ,A\nJ\u030Cosef,B\n");
        assertThat(client.lookup(key("émile.dupont")).found()).isTrue();
        assertThat(client.lookup(key("ÉMILE.DUPONT")).found()).isTrue(); // a key mapped by identity: normalized too
        assertThat(client.lookup(key("\u01F0osef")).found()).isTrue(); // NFC after lower case
    }

    @Test
    void aTabSeparatedFileIsRead() throws Exception {
        RosterClient client = open(
                "training.tsv",
                HEADER.replace(',', '\t') + "alice\tHIPAA, 2026\t2027-06-30\t2026-11-02T14:30:00Z\t93\t1\tCRC\t\n");
        assertThat(client.lookup(key("alice")).facts()).containsEntry("course", "HIPAA, 2026");
    }

    @Test
    void quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws Exception {
        RosterClient client = open(
                "training.csv",
                HEADER
                        + "alice,\"HIPAA, \"\"2026\"\"\r\nrefresher\",2027-06-30,,93,yes,\"CRC;PI\",\"x,y\"\r\n"
                        + "\"bob\",plain 6\" course,2027-06-30,,1,no,,\n"
                        + "\n"
                        + "carol,\"\",2027-06-30,,1,no,,\n");
        assertThat(client.lookup(key("alice")).facts())
                .containsEntry("course", "HIPAA, \"2026\"\r\nrefresher")
                .containsEntry("roles", List.of("CRC", "PI"));
        assertThat(client.lookup(key("bob")).facts()).containsEntry("course", "plain 6\" course");
        assertThat(client.lookup(key("carol")).facts()).doesNotContainKey("course");
        assertThat(client.health().loaded().orElseThrow().rows()).isEqualTo(3);
    }

    @Test
    void anIso88591FileIsReadInItsEncoding() throws Exception {
        Path file = dir.resolve("latin1.csv");
        Files.write(file, "username,course\nrené,Sécurité\n".getBytes(StandardCharsets.ISO_8859_1));
        RosterClient client = open(file, ',', StandardCharsets.ISO_8859_1, List.of(TRAINING.get(0)));
        assertThat(client.lookup(key("rené")).facts()).containsEntry("course", "Sécurité");
    }

    @Test
    void aByteOrderMarkIsDropped() throws Exception {
        RosterClient client = open("bom.csv", "\uFEFFusername,course\nalice,A\n");
        assertThat(client.lookup(key("alice")).facts()).containsEntry("course", "A");
    }

    /** The message a malformed file is refused with, as lookups (and the log) give it. */
    String refused(String name, byte[] content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, TRAINING);
        assertThat(client.health().stale()).isTrue();
        SourceException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                SourceException.class, () -> client.lookup(key("alice")));
        assertThat(e).as("lookups fail until a good roster is loaded").isNotNull();
        assertThat(e.getMessage()).startsWith("no good roster loaded yet: refused ");
        return e.getMessage();
    }

    String refused(String text) throws Exception {
        return refused("roster.csv", text.getBytes(StandardCharsets.UTF_8));
    }

    static final String GOOD_ROW = "alice,HIPAA,2027-06-30,,1,yes,,\n";

    @Test
    void eachMalformationIsRefusedWithItsLineAndColumn() throws Exception {
        assertThat(refused(HEADER + GOOD_ROW + "bob,HIPAA,31/12/2026,,1,yes,,\n"))
                .endsWith("roster.csv line 3, column 3 (Expires On): expected a date such as 2026-06-30, not"
                        + " '31/12/2026'");
        assertThat(refused(HEADER + "bob,HIPAA,2027-06-30,,lots,yes,,\n"))
                .endsWith("roster.csv line 2, column 5 (score): expected a whole number, not 'lots'");
        assertThat(refused(HEADER + "bob,HIPAA,2027-06-30,,1,maybe,,\n"))
                .contains("line 2, column 6 (passed): expected true/false");
        assertThat(refused(HEADER + "bob,HIPAA,2027-06-30,yesterday,1,yes,,\n"))
                .contains("line 2, column 4 (completed_at): expected a time such as");
        assertThat(refused(HEADER + GOOD_ROW + "bob,HIPAA,2027-06-30,,1,yes\n"))
                .endsWith("roster.csv line 3: 6 fields where the header has 8 (a delimiter or line break inside a"
                        + " value needs the value in double quotes)");
        assertThat(refused(HEADER + GOOD_ROW + "bob,\"HIPAA,2027-06-30,,1,yes,,\nbob2,x,,,,,,\n"))
                .contains("roster.csv line 3, column 2: a quoted field is never closed");
        assertThat(refused(HEADER + "bob,\"HIPAA\"x,2027-06-30,,1,yes,,\n"))
                .contains("roster.csv line 2, column 2: text after the closing quote");
        assertThat(refused("user,course,Expires On,completed_at,score,passed,roles\n" + GOOD_ROW))
                .contains("roster.csv line 1: no column headed 'username' (the key); the header has: user, course");
        assertThat(refused("username,course,completed_at,score,passed,roles\n"))
                .contains("roster.csv line 1: no column headed 'Expires On' (column expires_on)");
        assertThat(refused("username,course,Expires On,completed_at,score,passed,roles,course\n"))
                .contains("roster.csv line 1, column 8: two columns are headed 'course' (columns 2 and 8)");
        assertThat(refused(HEADER + GOOD_ROW + "bob,x,,,,,,\nALICE,y,,,,,,\n"))
                .endsWith("roster.csv line 4, column 1 (username): 'alice' is on line 2 too; each user may have one"
                        + " row");
        assertThat(refused(HEADER + " ,x,,,,,,\n"))
                .endsWith("line 2, column 1 (username): empty; every row needs" + " a username");
        assertThat(refused("")).contains("roster.csv line 1: the file is empty");
        byte[] latin1 = (HEADER + GOOD_ROW + "rené,x,,,,,,\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(refused("latin1.csv", latin1))
                .contains("latin1.csv line 3: bytes that are not UTF-8 text (0xE9)")
                .contains("set the source's encoding");
    }

    @Test
    void moreRowsThanMaxRowsAreRefused() throws Exception {
        Path file = dir.resolve("big.csv");
        StringBuilder text = new StringBuilder("username,course\n");
        for (int i = 0; i < 1_001; i++) {
            text.append("u").append(i).append(",x\n");
        }
        Files.writeString(file, text);
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, List.of(TRAINING.get(0)));
        assertThatThrownBy(() -> client.lookup(key("u1")))
                .hasMessageContaining("big.csv line 1002: more than max_rows (1000) rows");
    }

    @Test
    void aFileMissingAtStartFailsLookupsUntilItAppears() throws Exception {
        Path file = dir.resolve("later.csv");
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, List.of(TRAINING.get(0)));
        assertThatThrownBy(() -> client.lookup(key("alice")))
                .isInstanceOf(SourceException.class)
                .hasMessage("no good roster loaded yet: the file " + file + " is not there");
        assertThat(client.health().stale()).isTrue();
        assertThat(client.health().since()).contains(T0);

        Files.writeString(file, "username,course\nalice,A\n");
        clock.advance(Duration.ofMinutes(1));
        client.check();
        assertThat(client.lookup(key("alice")).found()).isTrue();
        assertThat(client.health().stale()).isFalse();
    }

    /** "Write a temporary file, then mv": the export's usual way, and the one the docs ask for. */
    void replace(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aMalformedNewVersionIsRefusedTheLastGoodKeepsServingAndHealthSaysWhyUntilAGoodOneComes() throws Exception {
        Path file = dir.resolve("training.csv");
        Files.writeString(file, "username,course\nalice,A\nbob,B\n");
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, List.of(TRAINING.get(0)));
        assertThat(client.lookup(key("bob")).found()).isTrue();

        clock.advance(Duration.ofHours(1));
        Instant refusedAt = clock.instant();
        replace(file, "username,course\nalice,A\nbob,\"B\n");
        client.check();
        assertThat(client.lookup(key("bob")).found())
                .as("the last good roster serves")
                .isTrue();
        SourceHealth stale = client.health();
        assertThat(stale.stale()).isTrue();
        assertThat(stale.since()).contains(refusedAt);
        assertThat(stale.loaded()).contains(new SourceHealth.Loaded(T0, 2));
        assertThat(stale.reason().orElseThrow())
                .isEqualTo("serving the roster loaded at 2026-12-01T09:00:00Z (2 rows): refused training.csv line 3,"
                        + " column 2: a quoted field is never closed (a \" is missing, or a quote inside it is not"
                        + " written twice)");

        clock.advance(Duration.ofMinutes(1));
        client.check(); // the same bad version: not read again, still stale since it was first seen
        assertThat(client.health().since()).contains(refusedAt);

        clock.advance(Duration.ofMinutes(1));
        replace(file, "username,course\nalice,A\n");
        client.check();
        assertThat(client.health()).isEqualTo(SourceHealth.current(new SourceHealth.Loaded(clock.instant(), 1)));
        assertThat(client.lookup(key("bob")).found())
                .as("bob's row was removed")
                .isFalse();
    }

    @Test
    void aVanishedFileIsStaleAndTheLastGoodKeepsServing() throws Exception {
        Path file = dir.resolve("training.csv");
        Files.writeString(file, "username,course\nalice,A\n");
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, List.of(TRAINING.get(0)));
        Path aside = dir.resolve("aside.csv");
        Files.move(file, aside);
        client.check();
        assertThat(client.lookup(key("alice")).found()).isTrue();
        assertThat(client.health().reason().orElseThrow()).endsWith("the file " + file + " is not there");

        Files.move(aside, file); // the same file back
        client.check();
        assertThat(client.health().stale()).isFalse();
    }

    @Test
    void aFileRewrittenInPlaceIsReadAgain() throws Exception {
        Path file = dir.resolve("training.csv");
        Files.writeString(file, "username,course\nalice,A\n");
        RosterClient client = open(file, ',', StandardCharsets.UTF_8, List.of(TRAINING.get(0)));
        Files.writeString(file, "username,course\nalice,B\nbob,B\n");
        client.check();
        assertThat(client.lookup(key("alice")).facts()).containsEntry("course", "B");
    }
}
