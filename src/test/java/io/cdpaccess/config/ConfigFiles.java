package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A configuration file written in a test's folder (one instance, then the test's own YAML) and
 * loaded as the service loads it, with the environment the test gives for {@code ${VAR}}.
 */
final class ConfigFiles {

    /** One instance, from line 1 of the file. */
    static final String INSTANCE = """
            instances:
              - name: prod
                redcap_url: https://redcap.example.edu/
                secret: prod-secret-0123456789abcdef
            """;

    /** A zone, one instance and {@code sources:}; the first source entry after it is on {@link #FIRST_SOURCE_LINE}. */
    static final String SOURCES = "zone: America/New_York\n" + INSTANCE + "sources:\n";

    static final int FIRST_SOURCE_LINE = 7;

    private ConfigFiles() {}

    /** {@code cdp-access.yaml} in {@code dir}: {@code head}, then {@code yaml}. */
    static Path write(Path dir, String head, String yaml) throws IOException {
        return Files.writeString(dir.resolve("cdp-access.yaml"), head + yaml);
    }

    static ServiceConfig load(Path file, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(env).load(file);
    }

    /** The problems a refused file is reported with; fails the test if the file is accepted. */
    static List<String> problems(Path file, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file, env));
        assertThat(e).as("expected the configuration to be refused").isNotNull();
        return e.problems();
    }
}
