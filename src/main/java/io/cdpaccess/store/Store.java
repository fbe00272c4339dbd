package io.cdpaccess.store;

import io.cdpaccess.protocol.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads and writes grants, projects and blocks in the service's own database.
 *
 * <p>Every write runs in one transaction that also records who changed what ({@code changes})
 * and bumps {@code store_version}, so a write is either entirely visible to running servers or
 * not at all. Reads for decisions go through {@link #snapshot()}, never row by row.
 */
public final class Store {

    private static final String GRANT_COLUMNS = "grant_id, instance_name, username, project_id, valid_from_ms, "
            + "valid_until_ms, granted_at_ms, granted_by, reason, revoked_at_ms, revoked_by, revoke_reason";
    private static final String PROJECT_COLUMNS = "instance_name, project_id, status, irb_number, expires_at_ms, "
            + "note, updated_at_ms, updated_by";
    private static final String BLOCK_COLUMNS = "block_id, username, reason, blocked_at_ms, blocked_by, "
            + "lifted_at_ms, lifted_by, lift_reason";

    private final Database database;
    private final Clock clock;

    public Store(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** The current change counter; cheap enough to poll every second. */
    public long version() {
        return counter("version");
    }

    /** How many policy reloads have been requested ({@code policy reload}); servers poll it. */
    public long policyReloadRequests() {
        return counter("policy_reloads");
    }

    private long counter(String column) {
        try (Connection c = database.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM store_version WHERE id = 1")) {
            ps.setQueryTimeout(5);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("store_version row is missing; the database was altered by hand");
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Asks every running server to re-read its policy now; returns the new request count. */
    public long requestPolicyReload(String actor) {
        return write(actor, "policy.reload", "all servers", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE store_version SET policy_reloads = policy_reloads + 1 WHERE id = 1")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_reloads FROM store_version WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Loads everything the decision path needs. The version is read first: a change committed
     * while the rows are read leaves the snapshot's version behind, so the next poll reloads.
     */
    public StoreSnapshot snapshot() {
        long version = version();
        try (Connection c = database.connection()) {
            List<Grant> grants = query(c, "SELECT " + GRANT_COLUMNS + " FROM grants", List.of(), Store::grant);
            List<Project> projects = query(c, "SELECT " + PROJECT_COLUMNS + " FROM projects", List.of(), Store::project);
            List<Block> blocks = query(c, "SELECT " + BLOCK_COLUMNS + " FROM blocks WHERE lifted_at_ms IS NULL",
                    List.of(), Store::block);
            return new StoreSnapshot(version, grants, projects, blocks);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    // ---- grants ----

    /** Records a new grant and returns it. */
    public Grant addGrant(NewGrant g) {
        Instant now = clock.instant();
        Grant grant = new Grant(Ids.next(clock), g.instance(), g.user(), g.projectId(), g.validFrom(), g.validUntil(),
                now, g.grantedBy(), g.reason(), Optional.empty(), Optional.empty(), Optional.empty());
        write(g.grantedBy(), "grant.add", describe(grant), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO grants (" + GRANT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)")) {
                ps.setString(1, grant.id());
                ps.setString(2, grant.instance());
                ps.setString(3, grant.user());
                setLong(ps, 4, grant.projectId());
                ps.setLong(5, grant.validFrom().toEpochMilli());
                setInstant(ps, 6, grant.validUntil());
                ps.setLong(7, now.toEpochMilli());
                ps.setString(8, grant.grantedBy());
                ps.setString(9, grant.reason());
                ps.executeUpdate();
            }
            return null;
        });
        return grant;
    }

    /**
     * Revokes grants that are not yet revoked and have not ended: one by id, or all of a user's
     * grants on an instance for one project (or the every-project grants when {@code projectId} is
     * empty and {@code allProjects} is set).
     *
     * @return the grants revoked, possibly none
     */
    public List<Grant> revokeGrants(GrantSelector selector, String actor, String reason) {
        Instant now = clock.instant();
        return write(actor, "grant.revoke", selector + " reason=" + reason, c -> {
            List<Grant> candidates = selector.id().isPresent()
                    ? query(c, "SELECT " + GRANT_COLUMNS + " FROM grants WHERE grant_id = ?",
                            List.of(selector.id().get()), Store::grant)
                    : query(c, "SELECT " + GRANT_COLUMNS + " FROM grants WHERE instance_name = ? AND username = ?",
                            List.of(selector.instance().orElseThrow(), selector.user().orElseThrow()), Store::grant);
            List<Grant> revoked = new ArrayList<>();
            for (Grant g : candidates) {
                boolean notEnded = g.validUntil().map(now::isBefore).orElse(true);
                if (g.revoked() || !notEnded || !selector.matchesProject(g)) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE grants SET revoked_at_ms = ?, revoked_by = ?, "
                        + "revoke_reason = ? WHERE grant_id = ? AND revoked_at_ms IS NULL")) {
                    ps.setLong(1, now.toEpochMilli());
                    ps.setString(2, actor);
                    ps.setString(3, reason);
                    ps.setString(4, g.id());
                    if (ps.executeUpdate() == 1) {
                        revoked.add(new Grant(g.id(), g.instance(), g.user(), g.projectId(), g.validFrom(),
                                g.validUntil(), g.grantedAt(), g.grantedBy(), g.reason(), Optional.of(now),
                                Optional.of(actor), Optional.of(reason)));
                    }
                }
            }
            return List.copyOf(revoked);
        }, revoked -> !revoked.isEmpty());
    }

    /** Grants matching the filter, newest first. */
    public List<Grant> listGrants(GrantFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT " + GRANT_COLUMNS + " FROM grants WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        filter.instance().ifPresent(i -> {
            sql.append(" AND instance_name = ?");
            params.add(i);
        });
        filter.user().ifPresent(u -> {
            sql.append(" AND username = ?");
            params.add(u);
        });
        sql.append(" ORDER BY granted_at_ms DESC, grant_id DESC");
        Instant now = clock.instant();
        try (Connection c = database.connection()) {
            return query(c, sql.toString(), params, Store::grant).stream()
                    .filter(g -> filter.projectId().isEmpty() || g.covers(filter.projectId().getAsLong()))
                    .filter(g -> filter.includeInactive() || g.activeAt(now) || g.validFrom().isAfter(now) && !g.revoked())
                    .toList();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    // ---- projects ----

    /** Approves or suspends a project, creating its record if needed; returns the new state. */
    public Project setProject(String instance, long projectId, Project.Status status, Optional<String> irbNumber,
                              Optional<Instant> expiresAt, Optional<String> note, String actor) {
        Instant now = clock.instant();
        return write(actor, "project." + status.label(), instance + "/" + projectId, c -> {
            Optional<Project> existing = query(c, "SELECT " + PROJECT_COLUMNS
                    + " FROM projects WHERE instance_name = ? AND project_id = ?", List.of(instance, projectId),
                    Store::project).stream().findFirst();
            // Suspending keeps the IRB number and expiry already recorded unless new ones are given.
            Project p = new Project(instance, projectId, status,
                    irbNumber.or(() -> existing.flatMap(Project::irbNumber)),
                    expiresAt.or(() -> existing.flatMap(Project::expiresAt)),
                    note.or(() -> existing.flatMap(Project::note)), now, actor);
            String sql = existing.isPresent()
                    ? "UPDATE projects SET status = ?, irb_number = ?, expires_at_ms = ?, note = ?, updated_at_ms = ?, "
                            + "updated_by = ? WHERE instance_name = ? AND project_id = ?"
                    : "INSERT INTO projects (status, irb_number, expires_at_ms, note, updated_at_ms, updated_by, "
                            + "instance_name, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, status.label());
                ps.setString(2, p.irbNumber().orElse(null));
                setInstant(ps, 3, p.expiresAt());
                ps.setString(4, p.note().orElse(null));
                ps.setLong(5, now.toEpochMilli());
                ps.setString(6, actor);
                ps.setString(7, instance);
                ps.setLong(8, projectId);
                ps.executeUpdate();
            }
            return p;
        });
    }

    /** Projects, optionally of one instance, ordered by instance and id. */
    public List<Project> listProjects(Optional<String> instance) {
        String sql = "SELECT " + PROJECT_COLUMNS + " FROM projects"
                + (instance.isPresent() ? " WHERE instance_name = ?" : "") + " ORDER BY instance_name, project_id";
        try (Connection c = database.connection()) {
            return query(c, sql, instance.<List<Object>>map(List::of).orElse(List.of()), Store::project);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    // ---- blocks ----

    /** The block in force after {@link #addBlock}, and whether that call created it. */
    public record BlockOutcome(Block block, boolean created) {
    }

    /** Blocks a normalized user everywhere; an existing active block is kept as it is. */
    public BlockOutcome addBlock(String user, String reason, String actor) {
        Instant now = clock.instant();
        return write(actor, "block.add", user + " reason=" + reason, c -> {
            List<Block> active = query(c, "SELECT " + BLOCK_COLUMNS
                    + " FROM blocks WHERE username = ? AND lifted_at_ms IS NULL", List.of(user), Store::block);
            if (!active.isEmpty()) {
                return new BlockOutcome(active.get(0), false);
            }
            Block b = new Block(Ids.next(clock), user, reason, now, actor, Optional.empty(), Optional.empty(),
                    Optional.empty());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blocks (" + BLOCK_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)")) {
                ps.setString(1, b.id());
                ps.setString(2, user);
                ps.setString(3, reason);
                ps.setLong(4, now.toEpochMilli());
                ps.setString(5, actor);
                ps.executeUpdate();
            }
            return new BlockOutcome(b, true);
        }, BlockOutcome::created);
    }

    /** Lifts a normalized user's active blocks; returns those lifted, possibly none. */
    public List<Block> liftBlocks(String user, String reason, String actor) {
        Instant now = clock.instant();
        return write(actor, "block.remove", user + " reason=" + reason, c -> {
            List<Block> active = query(c, "SELECT " + BLOCK_COLUMNS
                    + " FROM blocks WHERE username = ? AND lifted_at_ms IS NULL", List.of(user), Store::block);
            try (PreparedStatement ps = c.prepareStatement("UPDATE blocks SET lifted_at_ms = ?, lifted_by = ?, "
                    + "lift_reason = ? WHERE username = ? AND lifted_at_ms IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, actor);
                ps.setString(3, reason);
                ps.setString(4, user);
                ps.executeUpdate();
            }
            return active.stream().map(b -> new Block(b.id(), b.user(), b.reason(), b.blockedAt(), b.blockedBy(),
                    Optional.of(now), Optional.of(actor), Optional.of(reason))).toList();
        }, lifted -> !lifted.isEmpty());
    }

    /** Blocks, newest first; lifted ones only when asked. */
    public List<Block> listBlocks(boolean includeLifted) {
        String sql = "SELECT " + BLOCK_COLUMNS + " FROM blocks" + (includeLifted ? "" : " WHERE lifted_at_ms IS NULL")
                + " ORDER BY blocked_at_ms DESC, block_id DESC";
        try (Connection c = database.connection()) {
            return query(c, sql, List.of(), Store::block);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Runs a change, the change record and the version bump in one transaction. */
    private <T> T write(String actor, String action, String subject, Work<T> work) {
        return write(actor, action, subject, work, result -> true);
    }

    /**
     * Runs a change, the change record and the version bump in one transaction; when
     * {@code changed} says the work changed nothing, rolls back instead, so that no-ops leave no
     * trace in {@code changes} and do not make every server reload.
     */
    private <T> T write(String actor, String action, String subject, Work<T> work, java.util.function.Predicate<T> changed) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                if (!changed.test(result)) {
                    c.rollback();
                    return result;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO changes (change_id, changed_at_ms, actor, action, subject) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, Ids.next(clock));
                    ps.setLong(2, clock.millis());
                    ps.setString(3, actor);
                    ps.setString(4, action);
                    ps.setString(5, subject.length() > 1000 ? subject.substring(0, 1000) : subject);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE store_version SET version = version + 1 WHERE id = 1")) {
                    ps.executeUpdate();
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static <T> List<T> query(Connection c, String sql, List<?> params, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    private static Grant grant(ResultSet rs) throws SQLException {
        return new Grant(rs.getString(1), rs.getString(2), rs.getString(3), optionalLong(rs, 4),
                Instant.ofEpochMilli(rs.getLong(5)), instant(rs, 6), Instant.ofEpochMilli(rs.getLong(7)),
                rs.getString(8), rs.getString(9), instant(rs, 10), Optional.ofNullable(rs.getString(11)),
                Optional.ofNullable(rs.getString(12)));
    }

    private static Project project(ResultSet rs) throws SQLException {
        return new Project(rs.getString(1), rs.getLong(2), Project.Status.fromLabel(rs.getString(3)),
                Optional.ofNullable(rs.getString(4)), instant(rs, 5), Optional.ofNullable(rs.getString(6)),
                Instant.ofEpochMilli(rs.getLong(7)), rs.getString(8));
    }

    private static Block block(ResultSet rs) throws SQLException {
        return new Block(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                rs.getString(5), instant(rs, 6), Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8)));
    }

    private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    private static OptionalLong optionalLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static void setLong(PreparedStatement ps, int index, OptionalLong value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.getAsLong());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    private static void setInstant(PreparedStatement ps, int index, Optional<Instant> value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.get().toEpochMilli());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    private static String describe(Grant g) {
        return g.id() + " " + g.instance() + "/" + g.user() + " project=" + g.projectLabel() + " from=" + g.validFrom()
                + " until=" + g.validUntil().map(Instant::toString).orElse("-") + " reason=" + g.reason();
    }

    private StoreException unavailable(SQLException e) {
        return new StoreException("store " + database.description() + " failed: " + Database.rootMessage(e), e);
    }
}
