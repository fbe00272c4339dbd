package io.cdpaccess.cli;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.EmbeddedDefaults;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --config} / {@code --data-dir} options every command shares, and the one way
 * commands turn them into a loaded configuration.
 */
final class ConfigOptions {

    static final String CONFIG_ENV = "CDP_ACCESS_CONFIG";

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration (default: $" + CONFIG_ENV + ", else the embedded setup in --data-dir)")
    Path config;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "embedded setup used when no configuration is named (default: ./cdp-access-data)")
    Path dataDir;

    /** A loaded configuration and, for the embedded setup, whether it was just generated. */
    record Loaded(ServiceConfig config, Optional<EmbeddedDefaults.Setup> embedded) {}

    Loaded load(CliContext context) throws ConfigException {
        Path file = config;
        Optional<EmbeddedDefaults.Setup> embedded = Optional.empty();
        if (file == null && dataDir == null && context.environment().containsKey(CONFIG_ENV)) {
            file = Path.of(context.environment().get(CONFIG_ENV));
        }
        if (file == null) {
            Path dir = dataDir != null ? dataDir : EmbeddedDefaults.DEFAULT_DATA_DIR;
            EmbeddedDefaults.Setup setup;
            try {
                setup = EmbeddedDefaults.ensure(dir, context.clock());
            } catch (UncheckedIOException e) {
                // The directory is what the person named (or the default in the current one).
                throw new UserError("--data-dir " + dir + ": " + e.getMessage()
                        + "; name a directory you may write, or give --config");
            }
            embedded = Optional.of(setup);
            file = setup.configFile();
        } else if (dataDir != null) {
            throw new UserError("give either --config or --data-dir, not both");
        }
        return new Loaded(new ConfigLoader(context.environment()).load(file), embedded);
    }

    /** Opens the store named by the configuration, for a CLI command. */
    static Database openStore(ServiceConfig config) {
        return Database.open(
                new StoreConfig(
                        config.store().url(),
                        config.store().user(),
                        config.store().password(),
                        2,
                        config.store().refreshInterval(),
                        config.store().busyTimeout()),
                "cdp-access-cli");
    }

    /** The named instance, or the only one when none is named. */
    static InstanceConfig instance(ServiceConfig config, String name) {
        if (name == null) {
            if (config.instances().size() == 1) {
                return config.instances().get(0);
            }
            throw new UserError("--instance is required when several are configured: " + config.instanceNames());
        }
        return config.instance(name)
                .orElseThrow(
                        () -> new UserError("unknown instance '" + name + "'; configured: " + config.instanceNames()));
    }
}
