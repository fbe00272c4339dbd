package io.cdpaccess.source;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.time.Deadline;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sources of one configuration, swapped in with the policy compiled against them: a decision
 * reads both from one reference, so it never sees a policy with another configuration's sources.
 */
public final class SourceSet {

    private static final SourceSet NONE = new SourceSet(List.of());

    private final Map<String, LiveSource> sources = new LinkedHashMap<>();
    private final Map<String, Identity> identities = new LinkedHashMap<>();

    SourceSet(List<LiveSource> sources) {
        for (LiveSource source : sources) {
            this.sources.put(source.name(), source);
            identities.put(source.name(), new Identity(source.config().identity()));
        }
    }

    /** No sources: rules read only the request, the time and the store. */
    public static SourceSet none() {
        return NONE;
    }

    /** Each source's variable and its type, in configuration order. */
    public Map<String, FactType> variables() {
        Map<String, FactType> v = new LinkedHashMap<>();
        sources.forEach((name, source) -> v.put(name, source.facts()));
        return v;
    }

    /**
     * The same sources answering from no system: each lookup finds nothing (the kind's answer for
     * an unknown key) at once, on the asking thread, cached and counted only in these copies. For
     * the warm-up's rehearsals, which run the source machinery without asking a directory about
     * a user it never had or showing in the sources' meters and caches.
     */
    public SourceSet offline(Clock clock) {
        return new SourceSet(
                sources.values().stream().map(s -> s.offline(clock)).toList());
    }

    public Collection<LiveSource> sources() {
        return sources.values();
    }

    public boolean isEmpty() {
        return sources.isEmpty();
    }

    /**
     * Starts, all at once, the lookups of every source among {@code variables} (those a policy's
     * rules reference) and of the sources their keys come from; sources no rule reads are not
     * asked. The facts are then read from the result, each wait bounded by {@code deadline}.
     */
    public SourceLookups start(
            Set<String> variables,
            String normalizedUser,
            long projectId,
            String instance,
            Instant now,
            Deadline deadline) {
        Set<String> needed = new LinkedHashSet<>();
        for (String variable : variables) {
            addWithChain(variable, needed);
        }
        return new SourceLookups(this, needed, normalizedUser, projectId, instance, now, deadline);
    }

    private void addWithChain(String name, Set<String> needed) {
        if (!sources.containsKey(name) || needed.contains(name)) {
            return;
        }
        sources.get(name).config().dependencies().forEach(d -> addWithChain(d, needed));
        needed.add(name); // after what it depends on: the lookups start in this order
    }

    /** Every source, each after the source its key comes from. */
    public List<LiveSource> inLookupOrder() {
        Set<String> order = new LinkedHashSet<>();
        sources.keySet().forEach(name -> addWithChain(name, order));
        return order.stream().map(sources::get).toList();
    }

    /**
     * What {@code name} is asked for {@code user} in {@code projectId}, given what the sources it
     * depends on answered ({@link SourceConfig#dependencies}: its key taken {@code via} one, its
     * IRB number from one). Empty when they gave none: the source cannot be asked, and its
     * answer is its kind's for an unknown key.
     */
    public Optional<SourceKey> keyFor(
            String name, String user, long projectId, String instance, Instant now, Map<String, SourceAnswer> earlier) {
        SourceConfig config = sources.get(name).config();
        Identity identity = identities.get(name);
        Object via = identity.viaSource()
                .map(earlier::get)
                .map(answer -> answer.facts().get(identity.viaFact().orElseThrow()))
                .orElse(null);
        Optional<String> key = identity.key(user, via);
        Optional<String> irbNumber = config.irbNumberSource()
                .map(earlier::get)
                .map(answer -> answer.facts().get(config.irbNumberFact().orElseThrow()))
                .filter(v -> v instanceof String s && !s.isBlank())
                .map(v -> ((String) v).strip());
        if (key.isEmpty() || (config.irbNumber().isPresent() && irbNumber.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new SourceKey(key.get(), user, projectId, instance, irbNumber, now));
    }

    /** What {@code name} is asked with that another source gives, e.g. "redcap.ehr_usernames", for messages. */
    public String inputsOf(String name) {
        SourceConfig config = sources.get(name).config();
        List<String> inputs = new java.util.ArrayList<>();
        config.identity().via().ifPresent(inputs::add);
        config.irbNumber().ifPresent(inputs::add);
        return String.join(" and ", inputs);
    }

    LiveSource source(String name) {
        return sources.get(name);
    }

    Identity identity(String name) {
        return identities.get(name);
    }
}
