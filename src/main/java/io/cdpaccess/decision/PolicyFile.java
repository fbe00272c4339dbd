package io.cdpaccess.decision;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.ids.Sha256;
import io.cdpaccess.policy.LivePolicy.StaleReason;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.policy.PolicyLoadException;
import io.cdpaccess.policy.PolicyLoader;
import io.cdpaccess.policy.ReloadTrigger;
import io.cdpaccess.source.SourceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The running service's policy as its configuration file says: what a reload loads (the file
 * read and its policy compiled again, as at start) and the trigger that notices the file
 * changed (its content's digest moved). A reloaded file whose policy compiles is also handed
 * to {@code onLoaded} (the caller settings swap in from it; settings that need a restart are
 * reported), before the policy is swapped; a refused one is handed to nobody, so the last good
 * configuration keeps serving whole.
 */
public final class PolicyFile implements PolicyLoader<Rules> {

    private final Path file;
    private final ConfigLoader loader;
    private final SourceRegistry sources;
    private final Consumer<ServiceConfig> onLoaded;

    /**
     * @param sources opens the reloaded configuration's sources (keeping unchanged ones)
     * @param onLoaded given each reloaded configuration whose policy compiled and sources opened
     */
    public PolicyFile(Path file, ConfigLoader loader, SourceRegistry sources, Consumer<ServiceConfig> onLoaded) {
        this.file = file.toAbsolutePath();
        this.loader = loader;
        this.sources = sources;
        this.onLoaded = onLoaded;
    }

    @Override
    public Rules load() throws PolicyLoadException {
        try {
            ServiceConfig config = loader.load(file);
            Rules rules = Policies.load(config, sources);
            onLoaded.accept(config);
            return rules;
        } catch (ConfigException e) {
            throw new PolicyLoadException(
                    e.unreadable() ? StaleReason.CONFIG_UNREADABLE : StaleReason.CONFIG_INVALID, e.problems());
        } catch (PolicyException e) {
            throw new PolicyLoadException(StaleReason.POLICY_INVALID, e.problems());
        } catch (RuntimeException e) {
            throw new PolicyLoadException(StaleReason.INTERNAL_ERROR, List.of(file + ": " + e.getMessage()));
        }
    }

    /**
     * What makes a running server reload: the store's count of {@code policy reload} requests
     * moving (a store that cannot be read is no change; the store's own health says it is down),
     * then the file's content changing (a half-written or missing file reads as a change too).
     */
    public List<ReloadTrigger> triggers(LongSupplier reloadRequests) {
        return List.of(
                ReloadTrigger.of("policy reload request", false, () -> {
                    try {
                        return reloadRequests.getAsLong();
                    } catch (RuntimeException storeDown) {
                        return null;
                    }
                }),
                ReloadTrigger.of("configuration file changed", true, this::digest));
    }

    private String digest() {
        try {
            return HexFormat.of().formatHex(Sha256.of(Files.readAllBytes(file)));
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
