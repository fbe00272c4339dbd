package io.cdpaccess.decision;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.source.SourceConfigException;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceRegistry;
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

    /**
     * The policy a configuration asks for, compiled against the core facts and the facts of its
     * sources; problems name file, line, rule and position.
     */
    public static CompiledPolicy compile(ServiceConfig config) throws PolicyException {
        return compile(config, SourceKinds.standard());
    }

    /** The same, with these source kinds. */
    public static CompiledPolicy compile(ServiceConfig config, SourceKinds kinds) throws PolicyException {
        Map<String, FactType> sources;
        try {
            sources = kinds.variables(config.sources());
        } catch (SourceConfigException e) {
            throw new PolicyException(e.problems());
        }
        return compile(config.policy().orElseGet(Policies::defaultSpec), sources);
    }

    /**
     * The configuration's policy and its sources, ready to serve: compiled first, then the sources
     * opened (those that did not change since the registry last opened them kept as they are).
     */
    public static Rules load(ServiceConfig config, SourceRegistry registry) throws PolicyException {
        return open(compile(config, registry.kinds()), config, registry);
    }

    /**
     * {@code policy}, compiled from {@code config} against {@code registry}'s kinds, with the
     * sources opened: for the start, which compiles before it opens anything and need not again.
     */
    public static Rules open(CompiledPolicy policy, ServiceConfig config, SourceRegistry registry)
            throws PolicyException {
        try {
            return new Rules(policy, registry.open(config.sources()));
        } catch (SourceException e) {
            throw new PolicyException(List.of(e.getMessage()));
        }
    }

    /** Compiles {@code spec} against the core facts alone. */
    public static CompiledPolicy compile(PolicySpec spec) throws PolicyException {
        return compile(spec, Map.of());
    }

    /**
     * Compiles {@code spec} against the core facts and {@code sources}' variables, reporting every
     * problem once: reserved names first, then the compiler's.
     */
    public static CompiledPolicy compile(PolicySpec spec, Map<String, FactType> sources) throws PolicyException {
        List<String> problems = new ArrayList<>();
        for (RuleSpec rule : spec.rules()) {
            if (Reason.isReserved(rule.name())) {
                problems.add(rule.origin() + ": rule '" + rule.name() + "': the name is a reason code the service "
                        + "gives outside the policy; choose another");
            }
        }
        CompiledPolicy policy;
        try {
            policy = new PolicyCompiler(CoreFacts.schema(sources)).compile(spec);
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
