package io.cdpaccess.http;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.decision.LivePolicy;
import io.cdpaccess.store.LiveSnapshot;
import io.javalin.http.Context;

/**
 * Liveness and readiness for load balancers and orchestrators. They reveal only up/down states:
 * no versions, counts, hostnames or error texts, as the listener faces the network.
 */
final class Health {

    private final LiveSnapshot snapshot;
    private final DecisionLog decisionLog;
    private final LivePolicy policy;

    Health(LiveSnapshot snapshot, DecisionLog decisionLog, LivePolicy policy) {
        this.snapshot = snapshot;
        this.decisionLog = decisionLog;
        this.policy = policy;
    }

    /** The process is up and serving HTTP. */
    void live(Context ctx) {
        ctx.status(200).contentType("application/json").result("{\"status\":\"up\"}");
    }

    /** What {@code /health/ready} reports, also published as the {@code cdp_access_ready} gauge. */
    record Readiness(boolean store, boolean decisionLog) {
        boolean ready() {
            return store && decisionLog;
        }
    }

    /**
     * Decisions can be made and recorded: store reachable, log writable. A failed decision-log
     * commit counts until the store is next reached; waiting for the next successful commit
     * instead would keep a load balancer from ever sending the request that proves the log works
     * again.
     */
    Readiness readiness() {
        LiveSnapshot.Health storeHealth = snapshot.health();
        return new Readiness(storeHealth.reachable(),
                decisionLog.lastFailure().map(f -> f.at().isBefore(storeHealth.lastSuccess())).orElse(true));
    }

    /**
     * The configuration is loaded (else nothing would run) and {@link #readiness()}. A stale
     * policy (a reload was refused) is reported but does not make the service unready: the last
     * good policy is serving.
     */
    void ready(Context ctx) {
        Readiness r = readiness();
        ctx.status(r.ready() ? 200 : 503).contentType("application/json").header("Cache-Control", "no-store")
                .result("{\"status\":\"" + (r.ready() ? "ready" : "not-ready") + "\",\"config\":\"loaded\",\"store\":\""
                        + (r.store() ? "up" : "down") + "\",\"decision_log\":\"" + (r.decisionLog() ? "up" : "down")
                        + "\",\"policy\":\"" + (policy.status().stale() ? "stale" : "current") + "\"}");
    }
}
