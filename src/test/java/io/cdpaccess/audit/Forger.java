package io.cdpaccess.audit;

import io.cdpaccess.chain.ChainHash;
import io.cdpaccess.chain.Hash;
import io.cdpaccess.db.ChainedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** What a person who can write the database and knows the encoding can do to the record. */
final class Forger {

    private Forger() {}

    /** Recomputes every hash of a chain from its start, as a forger who knows the encoding would. */
    static void rehash(DataSource dataSource, String tableName, String chain) throws SQLException {
        ChainedTable table =
                DecisionTable.CHAINED.name().equals(tableName) ? DecisionTable.CHAINED : ChainedTable.CHANGES;
        try (Connection c = dataSource.getConnection()) {
            Hash previous = io.cdpaccess.db.AuditChains.all(c, table.name()).stream()
                    .filter(s -> s.chainId().equals(chain))
                    .findFirst()
                    .orElseThrow()
                    .startHash();
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement(table.selectSql() + " WHERE chain_id = ? ORDER BY chain_seq")) {
                ps.setString(1, chain);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[] {table.position(rs).seq(), table.read(rs)});
                    }
                }
            }
            for (Object[] row : rows) {
                @SuppressWarnings("unchecked")
                List<Object> values = (List<Object>) row[1];
                Hash hash = ChainHash.of(previous, table.name(), values);
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + table.name()
                        + " SET prev_hash = ?, record_hash = ? WHERE chain_id = ? AND chain_seq = ?")) {
                    ps.setBytes(1, previous.bytes());
                    ps.setBytes(2, hash.bytes());
                    ps.setString(3, chain);
                    ps.setLong(4, (Long) row[0]);
                    ps.executeUpdate();
                }
                previous = hash;
            }
        }
    }
}
