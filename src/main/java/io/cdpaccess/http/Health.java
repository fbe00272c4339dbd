package io.cdpaccess.http;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.policy.LivePolicy;
import io.cdpaccess.store.LiveSnapshot;
import io.javalin.http.Context;

/**
 * Liveness and readiness for load balancers and orchestrators. They reveal only up/down states:
 * no versions, counts, hostnames or error texts, as the listener faces the network.
 */
public final class Health {

    private final LiveSnapshot snapshot;
    private final DecisionLog decisionLog;
    private final LivePolicy<?> policy;
    private volatile boolean warmedUp;

    public Health(LiveSnapshot snapshot, DecisionLog decisionLog, LivePolicy<?> policy) {
        this.snapshot = snapshot;
        this.decisionLog = decisionLog;
        this.policy = policy;
    }

    /**
     * What {@code /health/ready} reports, also published as the {@code cdp_access_ready} gauge.
     *
     * @param watchers whether the background pollers still run: the store snapshot's (else
     *     revocations stop reaching this server) and the policy watcher's
     * @param warmedUp whether the start's warm-up ({@link WarmUp}) is over, so that the first
     *     researcher is answered as fast as later ones
     */
    public record Readiness(boolean store, boolean decisionLog, boolean watchers, boolean warmedUp) {
        public boolean ready() {
            return store && decisionLog && watchers && warmedUp;
        }
    }

    /** The warm-up is over (done, or given up): from now on readiness depends on the rest. */
    public void warmedUp() {
        warmedUp = true;
    }

    /** The process is up and serving HTTP. */
    void live(Context ctx) {
        ctx.status(200).contentType("application/json").result("{\"status\":\"up\"}");
    }

    /**
     * Decisions can be made and recorded, with current facts: store reachable, log writable, the
     * pollers that keep this server current still running. A failed decision-log commit counts
     * until the store is next reached; waiting for the next successful commit instead would keep a
     * load balancer from ever sending the request that proves the log works again.
     */
    public Readiness readiness() {
        LiveSnapshot.Health storeHealth = snapshot.health();
        return new Readiness(
                storeHealth.reachable(),
                decisionLog
                        .lastFailure()
                        .map(f -> f.at().isBefore(storeHealth.lastSuccess()))
                        .orElse(true),
                snapshot.polling() && policy.watching(),
                warmedUp);
    }

    /**
     * The configuration is loaded (else nothing would run) and {@link #readiness()}. A stale
     * policy (a reload was refused) is reported but does not make the service unready: the last
     * good policy is serving.
     */
    void ready(Context ctx) {
        Readiness r = readiness();
        ctx.status(r.ready() ? 200 : 503)
                .contentType("application/json")
                .header("Cache-Control", "no-store")
                .result("{\"status\":\"" + (r.ready() ? "ready" : "not-ready") + "\",\"config\":\"loaded\",\"store\":\""
                        + (r.store() ? "up" : "down") + "\",\"decision_log\":\"" + (r.decisionLog() ? "up" : "down")
                        + "\",\"watchers\":\"" + (r.watchers() ? "running" : "stopped")
                        + "\",\"policy\":\"" + (policy.status().stale() ? "stale" : "current") + "\"}");
    }
}
