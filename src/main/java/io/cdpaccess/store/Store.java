package io.cdpaccess.store;

import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.ChainedWriter;
import io.cdpaccess.db.Database;
import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.ids.Ids;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The service's own grants, projects and blocks, as the CLI and the running server use them.
 *
 * <p>Every write runs in one transaction that also records who changed what ({@code changes})
 * and bumps the store's version, so a write is either entirely visible to running servers or not
 * at all, and a write that changes nothing leaves no trace. Reads for decisions go through
 * {@link #snapshot()}, never row by row. The tables themselves are {@code GrantTable},
 * {@code ProjectTable}, {@code BlockTable}, {@code ChangeTable} and {@code StoreCounter}.
 */
public final class Store implements SnapshotSource {

    private final Database database;
    private final Clock clock;
    private final ChainedWriter changes;

    /** A store whose change records this process chains as the role {@code cdp-access}. */
    public Store(Database database, Clock clock) {
        this(database, clock, ChainedWriter.thisProcess("cdp-access"));
    }

    /**
     * @param writer who writes, as the start of this run's chain of change records names it
     */
    public Store(Database database, Clock clock, String writer) {
        this.database = database;
        this.clock = clock;
        this.changes = new ChainedWriter(ChainedTable.CHANGES, writer, clock);
    }

    /** The head of this process's chain of change records, empty before its first change. */
    public Optional<ChainHead> changesHead() {
        return changes.head();
    }

    @Override
    public Optional<String> lost() {
        return database.lost();
    }

    @Override
    public long version() {
        return read(StoreCounter.VERSION::read);
    }

    /** How many policy reloads have been requested ({@code policy reload}); servers poll it. */
    public long policyReloadRequests() {
        return read(StoreCounter.POLICY_RELOADS::read);
    }

    /** Asks every running server to re-read its policy now; returns the new request count. */
    public long requestPolicyReload(String actor) {
        return write(
                actor,
                "policy.reload",
                "all servers",
                c -> {
                    long before = StoreCounter.POLICY_RELOADS.read(c);
                    StoreCounter.POLICY_RELOADS.bump(c);
                    return before + 1;
                },
                n -> true,
                n -> ChangeValues.of(Map.of("reload_requests", n - 1), Map.of("reload_requests", n)));
    }

    /**
     * Loads everything the decision path needs. The version is read first: a change committed
     * while the rows are read leaves the snapshot's version behind, so the next poll reloads.
     */
    @Override
    public StoreSnapshot snapshot() {
        long version = version();
        return read(c -> new StoreSnapshot(
                version, GrantTable.all(c), ProjectTable.list(c, Optional.empty()), BlockTable.active(c)));
    }

    // ---- grants ----

    /** Records a new grant and returns it. */
    public Grant addGrant(NewGrant g) {
        Grant grant = new Grant(
                Ids.next(clock),
                g.instance(),
                g.user(),
                g.projectId(),
                g.validFrom(),
                g.validUntil(),
                clock.instant(),
                g.grantedBy(),
                g.reason(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        return write(
                g.grantedBy(),
                "grant.add",
                describe(grant),
                c -> {
                    GrantTable.insert(c, grant);
                    return grant;
                },
                added -> true,
                added -> ChangeValues.of(null, added));
    }

    /**
     * Revokes grants that are still current (active or future): one by id, or a user's grants on
     * an instance for one project (or the every-project grants).
     *
     * @return the grants revoked, possibly none
     */
    public List<Grant> revokeGrants(GrantSelector selector, String actor, String reason) {
        Instant now = clock.instant();
        List<Grant> before = new ArrayList<>();
        return write(
                actor,
                "grant.revoke",
                selector + " reason=" + reason,
                c -> {
                    List<Grant> revoked = new ArrayList<>();
                    for (Grant g : GrantTable.select(c, selector.where())) {
                        if (g.stateAt(now).current()
                                && selector.matchesProject(g)
                                && GrantTable.revoke(c, g.id(), now, actor, reason)) {
                            before.add(g);
                            revoked.add(g.revoked(now, actor, reason));
                        }
                    }
                    return List.copyOf(revoked);
                },
                revoked -> !revoked.isEmpty(),
                revoked -> ChangeValues.of(before, revoked));
    }

    /**
     * Moves the end of current grants (active or future) that end before {@code until} to {@code
     * until}: one by id, or a user's grants on an instance for one project (or the every-project
     * grants). A grant with no end, or one ending later already, is left as it is; an ended grant
     * is given again with {@link #addGrant}, so that its lapse stays on the record.
     *
     * @return the grants extended, as they now are; possibly none
     */
    public List<Grant> extendGrants(GrantSelector selector, Instant until, String actor, String reason) {
        Instant now = clock.instant();
        List<Grant> before = new ArrayList<>();
        return write(
                actor,
                "grant.extend",
                selector + " until=" + until + " reason=" + reason,
                c -> {
                    List<Grant> extended = new ArrayList<>();
                    for (Grant g : GrantTable.select(c, selector.where())) {
                        if (g.stateAt(now).current()
                                && selector.matchesProject(g)
                                && g.validUntil().map(until::isAfter).orElse(false)
                                && GrantTable.extend(c, g.id(), until)) {
                            before.add(g);
                            extended.add(g.extendedTo(until));
                        }
                    }
                    return List.copyOf(extended);
                },
                extended -> !extended.isEmpty(),
                extended -> ChangeValues.of(before, extended));
    }

    /** Grants matching the filter, newest first. */
    public List<Grant> listGrants(GrantFilter filter) {
        Instant now = clock.instant();
        return read(c -> GrantTable.select(c, GrantTable.where(filter.instance(), filter.user()))).stream()
                .filter(g -> filter.projectId().isEmpty()
                        || g.covers(filter.projectId().getAsLong()))
                .filter(g -> filter.includeInactive() || g.stateAt(now).current())
                .toList();
    }

    // ---- projects ----

    /** Approves or suspends a project, creating its record if needed; returns the new state. */
    public Project setProject(
            String instance,
            long projectId,
            Project.Status status,
            Optional<String> irbNumber,
            Optional<Instant> expiresAt,
            Optional<String> note,
            String actor) {
        Instant now = clock.instant();
        List<Project> before = new ArrayList<>();
        return write(
                actor,
                "project." + status.label(),
                instance + "/" + projectId,
                c -> {
                    Optional<Project> existing = ProjectTable.find(c, instance, projectId);
                    existing.ifPresent(before::add);
                    // Suspending keeps the IRB number and expiry already recorded unless new ones are given.
                    Project p = new Project(
                            instance,
                            projectId,
                            status,
                            irbNumber.or(() -> existing.flatMap(Project::irbNumber)),
                            expiresAt.or(() -> existing.flatMap(Project::expiresAt)),
                            note.or(() -> existing.flatMap(Project::note)),
                            now,
                            actor);
                    ProjectTable.save(c, p, existing.isPresent());
                    return p;
                },
                p -> true,
                p -> ChangeValues.of(before.isEmpty() ? null : before.get(0), p));
    }

    /** Projects, optionally of one instance, ordered by instance and id. */
    public List<Project> listProjects(Optional<String> instance) {
        return read(c -> ProjectTable.list(c, instance));
    }

    // ---- blocks ----

    /** The block in force after {@link #addBlock}, and whether that call created it. */
    public record BlockOutcome(Block block, boolean created) {}

    /** Blocks a normalized user everywhere; an existing active block is kept as it is. */
    public BlockOutcome addBlock(String user, String reason, String actor) {
        Instant now = clock.instant();
        return write(
                actor,
                "block.add",
                user + " reason=" + reason,
                c -> {
                    List<Block> active = BlockTable.activeFor(c, user);
                    if (!active.isEmpty()) {
                        return new BlockOutcome(active.get(0), false);
                    }
                    Block b = new Block(
                            Ids.next(clock),
                            user,
                            reason,
                            now,
                            actor,
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty());
                    BlockTable.insert(c, b);
                    return new BlockOutcome(b, true);
                },
                BlockOutcome::created,
                outcome -> ChangeValues.of(null, outcome.block()));
    }

    /** Lifts a normalized user's active blocks; returns those lifted, possibly none. */
    public List<Block> liftBlocks(String user, String reason, String actor) {
        Instant now = clock.instant();
        List<Block> before = new ArrayList<>();
        return write(
                actor,
                "block.remove",
                user + " reason=" + reason,
                c -> {
                    List<Block> active = BlockTable.activeFor(c, user);
                    before.addAll(active);
                    BlockTable.lift(c, user, now, actor, reason);
                    return active.stream()
                            .map(b -> b.lifted(now, actor, reason))
                            .toList();
                },
                lifted -> !lifted.isEmpty(),
                lifted -> ChangeValues.of(before, lifted));
    }

    /** Blocks, newest first; lifted ones only when asked. */
    public List<Block> listBlocks(boolean includeLifted) {
        return read(c -> BlockTable.list(c, includeLifted));
    }

    // ---- transactions ----

    private <T> T read(Jdbc.Work<T> work) {
        try (Connection c = database.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * Records an event of the service that changes no table of the store (the service started or
     * stopped, a policy loaded), in the same chain of change records as the changes.
     */
    public void recordEvent(String actor, String action, String subject, ChangeValues values) {
        write(actor, action, subject, c -> Boolean.TRUE, done -> true, done -> values, false);
    }

    /**
     * Runs {@code work}, which changes tables outside the store (a purge of old audit records),
     * and its change record in one transaction of this process's chain of change records; when
     * {@code changed} says it changed nothing, rolls back and records nothing. Servers are not
     * made to reload: the store's own tables are untouched.
     */
    public <T> T recordWork(
            String actor,
            String action,
            String subject,
            Jdbc.Work<T> work,
            Predicate<T> changed,
            Function<T, ChangeValues> values) {
        return write(actor, action, subject, work, changed, values, false);
    }

    /**
     * The change records that explain the store's state now, which a retention purge keeps
     * whatever their age: every record naming a grant still in force (active or future) or an
     * active block, and each project's newest record (its current status).
     */
    public Set<String> explainingChanges() {
        Instant now = clock.instant();
        return read(c -> ChangeTable.explaining(c, now));
    }

    private <T> T write(
            String actor,
            String action,
            String subject,
            Jdbc.Work<T> work,
            Predicate<T> changed,
            Function<T, ChangeValues> values) {
        return write(actor, action, subject, work, changed, values, true);
    }

    /**
     * Runs a change, its change record (with what it changed, from {@code values}) and the
     * version bump in one transaction; when {@code changed} says the work changed nothing, rolls
     * back instead, so that no-ops leave no trace in the change table and do not make every
     * server reload. An event that changes no table does not bump the version.
     */
    private <T> T write(
            String actor,
            String action,
            String subject,
            Jdbc.Work<T> work,
            Predicate<T> changed,
            Function<T, ChangeValues> values,
            boolean bump) {
        return read(c -> changes.write(
                c,
                (tx, appender) -> {
                    T result = work.run(tx);
                    if (changed.test(result)) { // a no-op takes no lock on the counter row, writes nothing
                        appender.append(List.of(ChangeTable.stored(
                                Ids.next(clock), clock.instant(), actor, action, subject, values.apply(result))));
                        if (bump) {
                            StoreCounter.VERSION.bump(tx);
                        }
                    }
                    return result;
                },
                changed));
    }

    private static String describe(Grant g) {
        return g.id() + " " + g.instance() + "/" + g.user() + " project=" + g.projectLabel() + " from=" + g.validFrom()
                + " until=" + g.validUntil().map(Instant::toString).orElse("-") + " reason=" + g.reason();
    }

    private StoreException unavailable(SQLException e) {
        return new StoreException("store " + database.description() + " failed: " + Database.rootMessage(e), e);
    }
}
