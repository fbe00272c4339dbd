package io.cdpaccess.decision;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.net.IpAddresses;
import io.cdpaccess.policy.FactSchema;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.policy.FactType.Scalar;
import io.cdpaccess.policy.FactType.Struct;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.StoreSnapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts every policy can use, with their types and how they are computed:
 *
 * <pre>
 * request.user                            the username normalized (Username.normalize): the
 *                                         name grants, blocks and the store match
 * request.user_as_sent                    the username exactly as REDCap sent it
 * request.normalized_user                 the same as request.user (kept for existing policies)
 * request.project_id (int), .redcap_url, .instance
 * request.caller_ip                       the caller's address, RFC 5952 text ("::1", "10.0.0.5")
 * now                                     the time of the request (timestamp)
 * store.grant.state                       "active" | "future" | "ended" | "revoked" | "none"
 * store.grant.active                      state == "active"
 * store.grant.id, .from, .until, .all_projects, .granted_by, .reason   (set when a grant exists)
 * store.grant.revoked_at, .revoked_by, .revoke_reason                  (set when it was revoked)
 * store.project.status                    "approved" | "suspended" | "unknown" (never recorded)
 * store.project.irb_number, .expires      (set when recorded)
 * store.project.expired                   expires has passed
 * store.block.active                      the user is blocked everywhere
 * store.block.id, .reason, .since, .blocked_by (set when blocked)
 * </pre>
 *
 * <p>{@code store.grant} describes the one grant that matters for this user, instance and project:
 * an active one if any, else a future one, else the one that ended last, else the last revoked.
 * Unset fields are absent ({@code has(store.grant.until)} is false for a grant without end).
 *
 * <p>{@code request.user} is the normalized name because grants match it: a deny rule
 * {@code request.user == 'mallory'} must deny every spelling a grant for mallory lets through
 * ({@code MALLORY}, {@code " mallory"}). A rule that must see the name as typed reads
 * {@code user_as_sent}.
 */
public final class CoreFacts {

    static final Struct REQUEST = Struct.of(
            "cdp.Request",
            "user",
            Scalar.STRING,
            "user_as_sent",
            Scalar.STRING,
            "normalized_user",
            Scalar.STRING,
            "project_id",
            Scalar.INT,
            "redcap_url",
            Scalar.STRING,
            "instance",
            Scalar.STRING,
            "caller_ip",
            Scalar.STRING);
    static final Struct GRANT = Struct.of(
            "cdp.Grant",
            "state",
            Scalar.STRING,
            "active",
            Scalar.BOOL,
            "id",
            Scalar.STRING,
            "from",
            Scalar.TIMESTAMP,
            "until",
            Scalar.TIMESTAMP,
            "all_projects",
            Scalar.BOOL,
            "granted_by",
            Scalar.STRING,
            "reason",
            Scalar.STRING,
            "revoked_at",
            Scalar.TIMESTAMP,
            "revoked_by",
            Scalar.STRING,
            "revoke_reason",
            Scalar.STRING);
    static final Struct PROJECT = Struct.of(
            "cdp.Project",
            "status",
            Scalar.STRING,
            "irb_number",
            Scalar.STRING,
            "expires",
            Scalar.TIMESTAMP,
            "expired",
            Scalar.BOOL);
    static final Struct BLOCK = Struct.of(
            "cdp.Block",
            "active",
            Scalar.BOOL,
            "id",
            Scalar.STRING,
            "reason",
            Scalar.STRING,
            "since",
            Scalar.TIMESTAMP,
            "blocked_by",
            Scalar.STRING);
    static final Struct STORE = Struct.of("cdp.Store", "grant", GRANT, "project", PROJECT, "block", BLOCK);

    /** Variable names. */
    public static final String REQUEST_VAR = "request";

    public static final String NOW_VAR = "now";
    public static final String STORE_VAR = "store";

    private CoreFacts() {}

    /** The variables of the core facts, in the order they are documented. */
    public static Map<String, FactType> variables() {
        Map<String, FactType> v = new LinkedHashMap<>();
        v.put(REQUEST_VAR, REQUEST);
        v.put(NOW_VAR, Scalar.TIMESTAMP);
        v.put(STORE_VAR, STORE);
        return v;
    }

    /** The schema rules are checked against when no fact source is configured. */
    public static FactSchema schema() {
        return FactSchema.of(variables());
    }

    /** The schema with the variables of the configured fact sources after the core ones. */
    public static FactSchema schema(Map<String, FactType> sources) {
        Map<String, FactType> all = variables();
        all.putAll(sources);
        return FactSchema.of(all);
    }

    static Map<String, Object> request(AccessRequest request, InstanceConfig instance, Optional<String> callerIp) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("user", request.normalizedUser());
        r.put("user_as_sent", request.user());
        r.put("normalized_user", request.normalizedUser());
        r.put("project_id", request.projectId());
        r.put("redcap_url", request.redcapUrl().value());
        r.put("instance", instance.name());
        callerIp.ifPresent(ip -> r.put("caller_ip", ip));
        return r;
    }

    /**
     * The request facts of a policy test case, which gives the name as REDCap would send it:
     * {@code user} and {@code normalized_user} are its normalized form and {@code user_as_sent} the
     * name as given, as the endpoint builds them; a {@code caller_ip} is read as an address and
     * written canonically. Fields the case sets itself are kept.
     */
    public static Map<String, Object> caseRequest(Map<String, Object> given) {
        Map<String, Object> r = new LinkedHashMap<>(given);
        if (given.get("user") instanceof String user) {
            r.put("user", Username.normalize(user));
            r.putIfAbsent("user_as_sent", user);
            r.putIfAbsent("normalized_user", Username.normalize(user));
        }
        canonicalCallerIp(r);
        return r;
    }

    /**
     * Recorded request facts as this version builds them, for replay. Decisions recorded before
     * {@code user_as_sent} existed hold the name as sent in {@code user}: it moves to
     * {@code user_as_sent}, and {@code user} becomes the normalized name (the recorded
     * {@code normalized_user}, which the decision was made with). Their {@code caller_ip} may be
     * the JDK's long form. Anything else is handed back as it was; a value of the wrong type is the
     * policy's to report.
     */
    public static Object recordedRequest(Object recorded) {
        if (!(recorded instanceof Map<?, ?> m)) {
            return recorded;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        m.forEach((k, v) -> r.put(String.valueOf(k), v));
        if (!r.containsKey("user_as_sent") && r.get("user") instanceof String asSent) {
            String normalized = r.get("normalized_user") instanceof String n ? n : Username.normalize(asSent);
            r.put("user", normalized);
            r.put("user_as_sent", asSent);
            r.put("normalized_user", normalized);
        }
        canonicalCallerIp(r);
        return r;
    }

    private static void canonicalCallerIp(Map<String, Object> r) {
        if (r.get("caller_ip") instanceof String ip) {
            r.put("caller_ip", IpAddresses.canonicalOrAsIs(ip));
        }
    }

    static Map<String, Object> store(StoreSnapshot snapshot, String instance, AccessRequest request, Instant now) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put(
                "grant",
                grant(
                        snapshot.grants(instance, request.normalizedUser()).stream()
                                .filter(g -> g.covers(request.projectId()))
                                .toList(),
                        now));
        s.put("project", project(snapshot.project(instance, request.projectId()), now));
        s.put("block", block(snapshot.block(request.normalizedUser())));
        return s;
    }

    /**
     * The store facts of an empty store (no grant, project not recorded, not blocked): what a
     * policy test case starts from before it says otherwise.
     */
    public static Map<String, Object> emptyStore(Instant now) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("grant", grant(List.of(), now));
        s.put("project", project(Optional.empty(), now));
        s.put("block", block(Optional.empty()));
        return s;
    }

    /** The grant that matters, described; see the class comment for the order of preference. */
    static Map<String, Object> grant(List<Grant> covering, Instant now) {
        // One pass, as this runs on every decision; on ties the first grant listed wins.
        Grant active = null;
        Grant future = null;
        Grant ended = null;
        Grant revoked = null;
        for (Grant c : covering) {
            switch (c.stateAt(now)) {
                case ACTIVE -> {
                    if (active == null || until(c).isAfter(until(active))) {
                        active = c;
                    }
                }
                case FUTURE -> {
                    if (future == null || c.validFrom().isBefore(future.validFrom())) {
                        future = c;
                    }
                }
                case ENDED -> {
                    if (ended == null || until(c).isAfter(until(ended))) {
                        ended = c;
                    }
                }
                case REVOKED -> {
                    if (revoked == null
                            || c.revokedAt()
                                    .orElseThrow()
                                    .isAfter(revoked.revokedAt().orElseThrow())) {
                        revoked = c;
                    }
                }
            }
        }
        Grant chosen = active != null ? active : future != null ? future : ended != null ? ended : revoked;
        Map<String, Object> g = new LinkedHashMap<>();
        String state = chosen == null ? "none" : chosen.stateAt(now).label();
        g.put("state", state);
        g.put("active", state.equals("active"));
        if (chosen != null) {
            g.put("id", chosen.id());
            g.put("from", chosen.validFrom());
            chosen.validUntil().ifPresent(u -> g.put("until", u));
            g.put("all_projects", chosen.projectId().isEmpty());
            g.put("granted_by", chosen.grantedBy());
            g.put("reason", chosen.reason());
            chosen.revokedAt().ifPresent(r -> g.put("revoked_at", r));
            chosen.revokedBy().ifPresent(r -> g.put("revoked_by", r));
            chosen.revokeReason().ifPresent(r -> g.put("revoke_reason", r));
        }
        return g;
    }

    /** A grant's end, {@link Instant#MAX} for none. */
    private static Instant until(Grant g) {
        return g.validUntil().orElse(Instant.MAX);
    }

    static Map<String, Object> project(Optional<Project> project, Instant now) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("status", project.map(x -> x.status().label()).orElse("unknown"));
        project.flatMap(Project::irbNumber).ifPresent(i -> p.put("irb_number", i));
        project.flatMap(Project::expiresAt).ifPresent(e -> p.put("expires", e));
        p.put("expired", project.map(x -> x.expiredAt(now)).orElse(false));
        return p;
    }

    static Map<String, Object> block(Optional<Block> block) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("active", block.isPresent());
        block.ifPresent(x -> {
            b.put("id", x.id());
            b.put("reason", x.reason());
            b.put("since", x.blockedAt());
            b.put("blocked_by", x.blockedBy());
        });
        return b;
    }
}
