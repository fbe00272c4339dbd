package io.cdpaccess.cli;

import java.time.Clock;
import java.util.Map;

/**
 * What commands take from their surroundings, injected so tests can pin time and environment.
 *
 * @param environment for {@code ${NAME}} in configuration and {@code CDP_ACCESS_CONFIG}
 */
public record CliContext(Clock clock, Map<String, String> environment) {

    public CliContext {
        environment = Map.copyOf(environment);
    }

    public static CliContext system() {
        return new CliContext(Clock.systemUTC(), System.getenv());
    }
}
