package io.cdpaccess.decision;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns configuration into a checked policy: the configuration's {@code policy} rules, or the
 * shipped default policy ({@code config/default-policy.yaml}) when there are none, compiled
 * against the core facts. Rule names may not reuse the reason codes given outside the policy.
 */
public final class Policies {

    /** Where the shipped default policy is read from (inside the jar). */
    public static final String DEFAULT_POLICY_RESOURCE = "default-policy.yaml";

    private Policies() {}

    /** The policy a configuration asks for, compiled; problems name file, line, rule and position. */
    public static CompiledPolicy compile(ServiceConfig config) throws PolicyException {
        return compile(config.policy().orElseGet(Policies::defaultSpec));
    }

    /** Compiles {@code spec}, reporting every problem once: reserved names first, then the compiler's. */
    public static CompiledPolicy compile(PolicySpec spec) throws PolicyException {
        List<String> problems = new ArrayList<>();
        for (RuleSpec rule : spec.rules()) {
            if (Reason.isReserved(rule.name())) {
                problems.add(rule.origin() + ": rule '" + rule.name() + "': the name is a reason code the service "
                        + "gives outside the policy; choose another");
            }
        }
        CompiledPolicy policy;
        try {
            policy = new PolicyCompiler(CoreFacts.schema()).compile(spec);
        } catch (PolicyException e) {
            problems.addAll(e.problems());
            throw new PolicyException(problems);
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return policy;
    }

    /** The shipped default policy's rules. */
    public static PolicySpec defaultSpec() {
        try {
            return new ConfigLoader(Map.of()).loadPolicy(DEFAULT_POLICY_RESOURCE, defaultText());
        } catch (ConfigException e) {
            throw new IllegalStateException("the shipped default policy is invalid: " + e.getMessage(), e);
        }
    }

    /** The shipped default policy's text, for {@code policy show --default}. */
    public static String defaultText() {
        try (InputStream in = Policies.class.getResourceAsStream(DEFAULT_POLICY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default policy is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
