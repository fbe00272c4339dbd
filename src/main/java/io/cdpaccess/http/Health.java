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

    /**
     * Decisions can be made and recorded: configuration loaded, store reachable, log writable.
     * A failed decision-log commit counts until the store is next reached; waiting for the next
     * successful commit instead would keep a load balancer from ever sending the request that
     * proves the log works again. A stale policy (a reload was refused) is reported but does not
     * make the service unready: the last good policy is serving.
     */
    void ready(Context ctx) {
        LiveSnapshot.Health storeHealth = snapshot.health();
        boolean store = storeHealth.reachable();
        boolean log = decisionLog.lastFailure().map(f -> f.at().isBefore(storeHealth.lastSuccess())).orElse(true);
        boolean ready = store && log;
        ctx.status(ready ? 200 : 503).contentType("application/json").header("Cache-Control", "no-store")
                .result("{\"status\":\"" + (ready ? "ready" : "not-ready") + "\",\"config\":\"loaded\",\"store\":\""
                        + (store ? "up" : "down") + "\",\"decision_log\":\"" + (log ? "up" : "down")
                        + "\",\"policy\":\"" + (policy.status().stale() ? "stale" : "current") + "\"}");
    }
}
