package io.cdpaccess.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings of the configuration file that a reload cannot apply, because they were used once
 * at start: the listener's address and TLS files, the store and the data directory, the deadline
 * (the listener's idle timeout and the store's busy timeout derive from it), and whether
 * {@code /metrics} is routed. Everything else in the file applies on reload. A reload that edits
 * one of these is named in one WARN line and in {@link #needed}, until the file says again what
 * the service runs with or the service restarts; editing them silently doing nothing was the
 * problem this solves.
 */
public final class RestartNeeded {

    /** Every setting that needs a restart, as named in the log and the metric's label. */
    public static final List<String> SETTINGS =
            List.of("listen", "tls", "store", "data_dir", "deadline", "metrics.enabled");

    private static final Logger log = LoggerFactory.getLogger(RestartNeeded.class);

    private final ServiceConfig running;
    private final AtomicReference<Set<String>> pending = new AtomicReference<>(Set.of());

    /** @param running the configuration the service started with */
    public RestartNeeded(ServiceConfig running) {
        this.running = running;
    }

    /** Compares a reloaded configuration with the running one, warning once per new difference. */
    public void reloaded(ServiceConfig loaded) {
        List<String> differ = between(running, loaded);
        Set<String> before = pending.getAndSet(Set.copyOf(differ));
        if (!differ.isEmpty() && !before.containsAll(differ)) {
            log.warn(
                    "configuration reloaded, but {} changed in {} and apply only at the next restart"
                            + " (everything else applies now)",
                    String.join(", ", differ),
                    loaded.source());
        }
    }

    /** Whether the file last reloaded says otherwise for {@code setting} than the service runs with. */
    public boolean needed(String setting) {
        return pending.get().contains(setting);
    }

    /** The settings needing a restart that differ between two configurations, in {@link #SETTINGS} order. */
    static List<String> between(ServiceConfig a, ServiceConfig b) {
        List<String> differ = new ArrayList<>();
        if (!a.listen().equals(b.listen())) {
            differ.add("listen");
        }
        if (!sameTls(a.tls(), b.tls())) {
            differ.add("tls");
        }
        if (!sameStore(a.store(), b.store())) {
            differ.add("store");
        }
        if (!a.dataDir().equals(b.dataDir())) {
            differ.add("data_dir");
        }
        if (!a.deadline().equals(b.deadline())) {
            differ.add("deadline");
        }
        if (a.metrics().enabled() != b.metrics().enabled()) {
            differ.add("metrics.enabled");
        }
        return differ;
    }

    /** Passwords are compared as text, never shown: {@link Secret} has no equality of its own. */
    private static boolean sameTls(Optional<TlsConfig> a, Optional<TlsConfig> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() == b.isEmpty();
        }
        TlsConfig x = a.get();
        TlsConfig y = b.get();
        return x.keystore().equals(y.keystore())
                && x.keystorePassword().reveal().equals(y.keystorePassword().reveal())
                && x.certificate().equals(y.certificate())
                && x.privateKey().equals(y.privateKey())
                && x.privateKeyPassword().reveal().equals(y.privateKeyPassword().reveal())
                && x.selfSigned().equals(y.selfSigned());
    }

    private static boolean sameStore(StoreConfig a, StoreConfig b) {
        return a.url().equals(b.url())
                && a.user().equals(b.user())
                && a.password().reveal().equals(b.password().reveal())
                && a.poolSize() == b.poolSize()
                && Objects.equals(a.refreshInterval(), b.refreshInterval());
    }
}
