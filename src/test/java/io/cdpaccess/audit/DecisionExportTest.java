package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.outcome.Effect;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Exports a security officer opens in a spreadsheet or feeds to a log pipeline: CSV that parses
 * back to what was recorded and never runs as a formula, and JSON Lines with one object per line.
 */
class DecisionExportTest {

    private static final String HEADER = "decision_id,decided_at,instance,user,normalized_user,project_id,redcap_url,"
            + "caller_ip,peer_ip,effect,reason,detail,http_status,latency_us,grant_id,policy_version,explanation";

    private static final DecisionRecord PLAIN = new DecisionRecord(
            "01JX0000000000000000000001",
            Instant.parse("2026-06-01T09:00:00.250Z"),
            Optional.of("prod"),
            Optional.of("alice"),
            Optional.of("alice"),
            Optional.of("42"),
            Optional.of("https://redcap.example.edu/"),
            "10.0.0.5",
            "10.0.0.1",
            Effect.ALLOW,
            "granted",
            Optional.empty(),
            200,
            1234,
            Optional.of("01JX00000000000000000000G1"));

    private static final DecisionRecord SPARSE = new DecisionRecord(
            "01JX0000000000000000000002",
            Instant.parse("2026-06-01T09:00:01Z"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "203.0.113.9",
            "203.0.113.9",
            Effect.REJECTED,
            "bad-secret",
            Optional.empty(),
            403,
            0,
            Optional.empty());

    @Test
    void csvHasOneHeaderRowAndOneRowPerRecord() throws IOException {
        String csv = csv(PLAIN, SPARSE);

        assertThat(csv).startsWith(HEADER + "\r\n");
        assertThat(csv.split("\r\n", -1))
                .containsExactly(
                        HEADER,
                        "01JX0000000000000000000001,2026-06-01T09:00:00.250Z,prod,alice,alice,42,https://redcap.example.edu/,"
                                + "10.0.0.5,10.0.0.1,allow,granted,,200,1234,01JX00000000000000000000G1,,",
                        "01JX0000000000000000000002,2026-06-01T09:00:01Z,,,,,,203.0.113.9,203.0.113.9,rejected,bad-secret,,403,0,,,",
                        "");
    }

    @Test
    void csvQuotesCommasAndQuotesSoEachCellParsesBack() throws IOException {
        DecisionRecord awkward = Records.withUserAndDetail(PLAIN, "Smith, \"JJ\"", "three, four");

        String csv = csv(awkward);

        assertThat(csv).contains(",\"Smith, \"\"JJ\"\"\",");
        List<List<String>> rows = parseCsv(csv);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactlyElementsOf(DecisionExport.COLUMNS);
        assertThat(rows.get(1).get(3)).isEqualTo("Smith, \"JJ\"");
        assertThat(rows.get(1).get(11)).isEqualTo("three, four");
        assertThat(rows.get(1).get(12)).isEqualTo("200");
    }

    @Test
    void csvShowsLineBreaksBidiOverridesAndZeroWidthCharactersEscapedSoEveryRecordIsOneLine() throws Exception {
        String spoof = "\u202enimda"; // a spreadsheet shows "admin"
        String detail = "line one\r\nline two\u200b, \"four\"";

        String csv = csv(Records.withUserAndDetail(PLAIN, spoof, detail));

        assertThat(csv.split("\r\n", -1)).hasSize(3); // header, one record, nothing after the last CRLF
        assertThat(csv).doesNotContain("\u202e").doesNotContain("\u200b");
        List<String> row = parseCsv(csv).get(1);
        // The escaped form, in quotes as in log lines, is a JSON string: it reads back to what was recorded.
        assertThat(row.get(3)).isEqualTo("\"\\u202enimda\"");
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(row.get(3), String.class)).isEqualTo(spoof);
        assertThat(json.readValue(row.get(11), String.class)).isEqualTo(detail);
        // A recorded value that starts with a quote is quoted too, so a quoted cell is always the escaped form.
        assertThat(parseCsv(csv(Records.withUserAndDetail(PLAIN, "\"x\"", "-")))
                        .get(1)
                        .get(3))
                .isEqualTo("\"\\\"x\\\"\"");
    }

    @Test
    void csvCellsThatStartAFormulaAfterSpacesOrWithFullWidthSignsStartWithAQuote() throws IOException {
        List<String> hostile = List.of(
                " =1+1",
                "   @SUM(A1)",
                "\u00a0=HYPERLINK(\"http://evil.example\")",
                "\u3000+1",
                "\u2007-1",
                "\uff1d1+1",
                "\uff0b1",
                "\uff0d1",
                "\uff20SUM(A1)",
                " \uff1d1");
        for (String value : hostile) {
            List<List<String>> rows = parseCsv(csv(Records.withUserAndDetail(PLAIN, value, value)));
            assertThat(rows.get(1).get(3)).as("user %s", value).isEqualTo("'" + value);
            assertThat(rows.get(1).get(11)).as("detail %s", value).isEqualTo("'" + value);
        }
        List<List<String>> rows = parseCsv(csv(Records.withUserAndDetail(PLAIN, "   ", "a \uff1d b")));
        assertThat(rows.get(1).get(3)).isEqualTo("   ");
        assertThat(rows.get(1).get(11)).isEqualTo("a \uff1d b");
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAsAFormulaStartWithAQuote() throws IOException {
        List<String> hostile = List.of("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A9)");
        for (String value : hostile) {
            List<List<String>> rows = parseCsv(csv(Records.withUserAndDetail(PLAIN, value, value)));
            assertThat(rows.get(1).get(3)).as("user %s", value).isEqualTo("'" + value);
            assertThat(rows.get(1).get(11)).as("detail %s", value).isEqualTo("'" + value);
        }
        // Tab and CR first are controls: shown escaped in quotes, which no spreadsheet runs.
        for (String value : List.of("\tcmd", "\r=1")) {
            List<List<String>> rows = parseCsv(csv(Records.withUserAndDetail(PLAIN, value, value)));
            assertThat(rows.get(1).get(3))
                    .as("user %s", value)
                    .startsWith("\"\\")
                    .doesNotContain("\t", "\r");
        }
        // Harmless look-alikes are left alone.
        List<List<String>> rows = parseCsv(csv(Records.withUserAndDetail(PLAIN, "a=b", "x-1")));
        assertThat(rows.get(1).get(3)).isEqualTo("a=b");
        assertThat(rows.get(1).get(11)).isEqualTo("x-1");
    }

    @Test
    void csvNumbersAreNotPrefixedButTextThatLooksNegativeIs() throws IOException {
        DecisionRecord negative = new DecisionRecord(
                PLAIN.decisionId(),
                PLAIN.decidedAt(),
                PLAIN.instance(),
                PLAIN.user(),
                PLAIN.normalizedUser(),
                Optional.of("-5"),
                PLAIN.redcapUrl(),
                PLAIN.callerIp(),
                PLAIN.peerIp(),
                PLAIN.effect(),
                PLAIN.reason(),
                PLAIN.detail(),
                200,
                -1,
                PLAIN.grantId());

        List<String> row = parseCsv(csv(negative)).get(1);

        assertThat(row.get(12)).isEqualTo("200");
        assertThat(row.get(13)).isEqualTo("-1"); // latency is a number, not text from outside
        assertThat(row.get(5)).isEqualTo("'-5"); // project_id is what the caller sent
    }

    @Test
    void jsonLinesHaveOneObjectPerLineWithNullsForMissingFields() throws IOException {
        DecisionRecord multiline = Records.withUserAndDetail(PLAIN, "=müller 😀", "two\nlines, \"quoted\"");
        StringWriter out = new StringWriter();
        try (DecisionExport export = new DecisionExport(out, DecisionExport.Format.JSONL)) {
            export.write(multiline);
            export.write(SPARSE);
            assertThat(export.count()).isEqualTo(2);
        }

        String text = out.toString();
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        JsonNode second = json.readTree(lines.get(1));

        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyElementsOf(DecisionExport.COLUMNS);
        assertThat(first.get("user").asText()).isEqualTo("=müller 😀"); // no spreadsheet quoting in JSON
        assertThat(first.get("detail").asText()).isEqualTo("two\nlines, \"quoted\"");
        assertThat(first.get("decided_at").asText()).isEqualTo("2026-06-01T09:00:00.250Z");
        assertThat(first.get("http_status").isInt()).isTrue();
        assertThat(first.get("latency_us").asLong()).isEqualTo(1234);

        for (String field :
                List.of("instance", "user", "normalized_user", "project_id", "redcap_url", "detail", "grant_id")) {
            assertThat(second.has(field)).as(field).isTrue();
            assertThat(second.get(field).isNull()).as(field).isTrue();
        }
        assertThat(second.get("http_status").asInt()).isEqualTo(403);
        assertThat(second.get("effect").asText()).isEqualTo("rejected");
    }

    @Test
    void formatNamesAreCaseInsensitiveAndUnknownOnesExplainThemselves() {
        assertThat(DecisionExport.Format.parse("CSV")).isEqualTo(DecisionExport.Format.CSV);
        assertThat(DecisionExport.Format.parse("jsonl")).isEqualTo(DecisionExport.Format.JSONL);
        assertThatThrownBy(() -> DecisionExport.Format.parse("xlsx"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown format 'xlsx'; use csv or jsonl");
    }

    // ---- helpers ----

    private static String csv(DecisionRecord... records) throws IOException {
        StringWriter out = new StringWriter();
        try (DecisionExport export = new DecisionExport(out, DecisionExport.Format.CSV)) {
            for (DecisionRecord r : records) {
                export.write(r);
            }
        }
        return out.toString();
    }

    /** A strict RFC 4180 reader: rows end with CRLF, quoted cells may hold anything. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        Iterator<Integer> chars = text.chars().iterator();
        boolean quoted = false;
        boolean afterQuote = false;
        while (chars.hasNext()) {
            char c = (char) (int) chars.next();
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                    afterQuote = true;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                if (afterQuote) {
                    cell.append('"'); // a doubled quote inside a quoted cell
                } else if (cell.length() > 0) {
                    throw new IllegalArgumentException("quote inside an unquoted cell: " + cell);
                }
                quoted = true;
                afterQuote = false;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                afterQuote = false;
            } else if (c == '\r') {
                if (!chars.hasNext() || chars.next() != '\n') {
                    throw new IllegalArgumentException("bare CR outside quotes");
                }
                row.add(cell.toString());
                rows.add(row);
                row = new ArrayList<>();
                cell.setLength(0);
                afterQuote = false;
            } else if (c == '\n') {
                throw new IllegalArgumentException("bare LF outside quotes");
            } else {
                if (afterQuote) {
                    throw new IllegalArgumentException("text after a closing quote");
                }
                cell.append(c);
            }
        }
        if (quoted || cell.length() > 0 || !row.isEmpty()) {
            throw new IllegalArgumentException("last row does not end with CRLF");
        }
        return rows;
    }
}
