package io.cdpaccess.cli;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options several commands share, declared once each (picocli mixins). */
final class Options {

    private Options() {}

    /** {@code --instance}: the REDCap instance a change applies to. */
    static final class Instance {
        @Option(names = "--instance", paramLabel = "NAME", description = "REDCap instance (default: the only one)")
        String name;

        /** The named instance, or the only one when none is named. */
        InstanceConfig of(ServiceConfig config) {
            return ConfigOptions.instance(config, name);
        }
    }

    /** {@code --instance} of a list: only what belongs to this instance. */
    static final class InstanceFilter {
        @Option(names = "--instance", paramLabel = "NAME", description = "only this REDCap instance (default: all)")
        String name;

        /** The named instance's name, checked against the configuration; empty for all. */
        Optional<String> of(ServiceConfig config) {
            return Optional.ofNullable(name)
                    .map(n -> ConfigOptions.instance(config, n).name());
        }
    }

    /** {@code --reason}: why, required, kept on the record. */
    static final class Reason {
        @Option(
                names = "--reason",
                required = true,
                description = "why (for a grant, e.g. the IRB protocol); kept on the record")
        String text;

        String value() {
            return Inputs.text(text, "--reason", 1000);
        }
    }

    /** {@code --by}: who makes the change. */
    static final class Actor {
        @Option(names = "--by", description = "who makes the change (default: your system account)")
        String by;

        /** --by, else the operating-system account. */
        String value() {
            return Inputs.actor(by);
        }
    }
}
