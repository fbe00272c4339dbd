package io.cdpaccess.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cdpaccess.db.AuditChains;
import io.cdpaccess.db.ChainedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * The chained record as JSON Lines, for a verifier outside the service (the README's "Verifying
 * the record"; {@code tools/cdp-access-audit-verify.py}): first every chain start, then every
 * record of each table in chain order (those written before chains existed last, with a null
 * {@code chain_id}), each with its values exactly as stored, in hashing order. A value is JSON null, a number (whole numbers), a string (text) or {@code
 * {"base64": "..."}} (bytes); hashes are lower-case hex. Streamed: constant memory.
 *
 * <pre>
 * {"table":"audit_chains","chain_id":"01J...","record_table":"decisions","started_at_ms":1764..,
 *  "writer":"server pid 4242 as cdp","previous_chain_id":null,"previous_seq":null,
 *  "previous_hash":null,"start_hash":"9f2c..."}
 * {"table":"decisions","chain_id":"01J...","chain_seq":1,"prev_hash":"9f2c...",
 *  "record_hash":"41d0...","values":{"decision_id":"01J...","decided_at_ms":1764..,...}}
 * </pre>
 */
public final class AuditExport {

    private final DataSource dataSource;

    public AuditExport(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Writes everything chained to {@code out}.
     *
     * @param progress told the number of lines written so far, every so often
     * @return the number of lines written
     */
    public long write(Writer out, LongConsumer progress) throws SQLException {
        long[] lines = {0};
        try (Connection pooled = dataSource.getConnection()) {
            // One snapshot, as audit verify reads: starts, records and purge anchors that agree.
            try (ReadSnapshot snapshot = ReadSnapshot.begin(pooled);
                    JsonGenerator json = new JsonFactory().createGenerator(out)) {
                Connection c = snapshot.connection();
                json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                for (ChainedTable table : AuditVerifier.TABLES) {
                    for (AuditChains.Start start : AuditChains.all(c, table.name())) {
                        writeStart(json, start);
                        line(json, lines, progress);
                    }
                }
                for (ChainedTable table : AuditVerifier.TABLES) {
                    writeRecords(c, json, table, lines, progress);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        progress.accept(lines[0]);
        return lines[0];
    }

    private static void writeStart(JsonGenerator json, AuditChains.Start start) throws IOException {
        List<Object> f = start.fields();
        json.writeStartObject();
        json.writeStringField("table", AuditChains.TABLE);
        String[] names = {
            "chain_id", "record_table", "started_at_ms", "writer", "previous_chain_id", "previous_seq", "previous_hash"
        };
        for (int i = 0; i < names.length; i++) {
            json.writeFieldName(names[i]);
            Object v = f.get(i);
            if (v instanceof byte[] bytes) {
                json.writeString(java.util.HexFormat.of().formatHex(bytes));
            } else {
                value(json, v);
            }
        }
        json.writeStringField("start_hash", start.startHash().toString());
        json.writeEndObject();
    }

    private static void writeRecords(
            Connection c, JsonGenerator json, ChainedTable table, long[] lines, LongConsumer progress)
            throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement(table.selectSql()
                + " ORDER BY CASE WHEN chain_id IS NULL THEN 1 ELSE 0 END, chain_id, chain_seq, "
                + table.timeColumn())) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> values = table.read(rs);
                    ChainedTable.Position at = table.position(rs);
                    json.writeStartObject();
                    json.writeStringField("table", table.name());
                    json.writeFieldName("chain_id");
                    value(json, at.chainId());
                    json.writeFieldName("chain_seq");
                    value(json, at.chainId() == null ? null : (Object) at.seq());
                    json.writeFieldName("prev_hash");
                    value(json, at.previous() == null ? null : at.previous().toString());
                    json.writeFieldName("record_hash");
                    value(json, at.hash() == null ? null : at.hash().toString());
                    json.writeObjectFieldStart("values");
                    for (int i = 0; i < values.size(); i++) {
                        json.writeFieldName(table.columns().get(i).name());
                        value(json, values.get(i));
                    }
                    json.writeEndObject();
                    json.writeEndObject();
                    line(json, lines, progress);
                }
            }
        }
    }

    private static void value(JsonGenerator json, Object v) throws IOException {
        if (v == null) {
            json.writeNull();
        } else if (v instanceof Number n) {
            json.writeNumber(n.longValue());
        } else if (v instanceof String s) {
            json.writeString(s);
        } else {
            json.writeStartObject();
            json.writeStringField("base64", Base64.getEncoder().encodeToString((byte[]) v));
            json.writeEndObject();
        }
    }

    private static void line(JsonGenerator json, long[] lines, LongConsumer progress) throws IOException {
        json.writeRaw('\n');
        lines[0]++;
        if (lines[0] % 10_000 == 0) {
            progress.accept(lines[0]);
        }
    }
}
