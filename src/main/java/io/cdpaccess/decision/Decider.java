package io.cdpaccess.decision;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.StoreSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides one well-formed request against the current store snapshot, with the built-in rule:
 * <b>allow iff the user is not blocked, the project is neither suspended nor expired, and an
 * active grant covers (instance, user, project)</b> at the time of the request. Anything else is
 * a deny with the most specific reason; any exception is an error (never an allow).
 *
 * <p>Reads memory only, so it is the same code for the endpoint and for {@code check}, and it
 * costs the same with one grant or a million.
 */
public final class Decider {

    private final Supplier<StoreSnapshot> snapshots;
    private final Clock clock;

    public Decider(Supplier<StoreSnapshot> snapshots, Clock clock) {
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /**
     * Decides whether the request's user may use EHR data in its project.
     *
     * @param instance the REDCap installation the caller authenticated as
     * @param deadline the answer is an error once this passes
     */
    public Decision decide(InstanceConfig instance, AccessRequest request, Instant deadline) {
        try {
            Decision decision = evaluate(instance, request, clock.instant());
            if (clock.instant().isAfter(deadline)) {
                return Decision.error(Reason.DEADLINE_EXCEEDED, "decided after the deadline");
            }
            return decision;
        } catch (RuntimeException e) {
            return Decision.error(Reason.INTERNAL_ERROR, e.getClass().getSimpleName());
        }
    }

    private Decision evaluate(InstanceConfig instance, AccessRequest request, Instant now) {
        if (!instance.answersFor(request.redcapUrl())) {
            return Decision.deny(Reason.INSTANCE_MISMATCH, "instance " + instance.name() + " is bound to "
                    + instance.redcapUrl().map(Object::toString).orElse("*"));
        }
        StoreSnapshot snapshot = snapshots.get();
        String user = request.normalizedUser();
        Optional<Block> block = snapshot.block(user);
        if (block.isPresent()) {
            return Decision.deny(Reason.BLOCKED, "block " + block.get().id() + ": " + block.get().reason());
        }
        Optional<Project> project = snapshot.project(instance.name(), request.projectId());
        if (project.isPresent() && project.get().status() == Project.Status.SUSPENDED) {
            return Decision.deny(Reason.PROJECT_SUSPENDED, "suspended by " + project.get().updatedBy()
                    + " at " + project.get().updatedAt());
        }
        if (project.isPresent() && project.get().expiredAt(now)) {
            return Decision.deny(Reason.PROJECT_EXPIRED, "approval ended at " + project.get().expiresAt().orElseThrow());
        }
        List<Grant> covering = snapshot.grants(instance.name(), user).stream()
                .filter(g -> g.covers(request.projectId()))
                .toList();
        for (Grant g : covering) {
            if (g.activeAt(now)) {
                return Decision.allow(g.id(), "grant " + g.id() + " until "
                        + g.validUntil().map(Instant::toString).orElse("no end"));
            }
        }
        return covering.stream().filter(g -> !g.revoked() && now.isBefore(g.validFrom())).findFirst()
                .map(g -> Decision.deny(Reason.GRANT_NOT_YET_VALID, "grant " + g.id() + " starts at " + g.validFrom()))
                .or(() -> covering.stream().filter(g -> !g.revoked()).findFirst()
                        .map(g -> Decision.deny(Reason.GRANT_EXPIRED, "grant " + g.id() + " ended at "
                                + g.validUntil().orElseThrow())))
                .or(() -> covering.stream().findFirst()
                        .map(g -> Decision.deny(Reason.GRANT_REVOKED, "grant " + g.id() + " revoked by "
                                + g.revokedBy().orElse("?") + ": " + g.revokeReason().orElse(""))))
                .orElseGet(() -> Decision.deny(Reason.NO_GRANT, "no grant for " + user + " on " + instance.name()
                        + " project " + request.projectId()));
    }
}
