package io.cdpaccess.testing;

import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.source.SourceKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fact source whose answers a test scripts: found (with groups and an optional expiry), not
 * found, an error, or no answer until released. It stands for the directory or database behind
 * a source, so that the machinery around every source (cache, breaker, deadline, sharing) is
 * tested on its own; the real kinds are tested against real servers. Its facts: {@code found},
 * {@code groups} (list of strings), {@code until} (timestamp), {@code ehr_username} (the key with
 * {@code -ehr}) and {@code irb_number} (set per key by {@link #irbNumber}).
 */
public final class ScriptedSource implements SourceKind {

    /** What the next lookups give. */
    public sealed interface Script {}

    public record Found(List<String> groups, Optional<Instant> until) implements Script {}

    public record NotFound() implements Script {}

    public record Fails(String message) implements Script {}

    /** Blocks until {@link #release} (or the source's timeout), then fails as a timeout would. */
    public record Hangs() implements Script {}

    /**
     * Blocks until {@code go} is counted down (or the source's timeout), then fails as a timeout
     * would: unlike {@link Hangs}, a lookup cannot miss its release by starting after it.
     */
    public record HangsUntil(CountDownLatch go) implements Script {}

    private final AtomicReference<Script> script = new AtomicReference<>(new NotFound());
    private final Map<String, Script> perKey = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile CountDownLatch hang = new CountDownLatch(1);
    private final Map<String, Given> given = new ConcurrentHashMap<>();
    private final Map<String, String> irbNumbers = new ConcurrentHashMap<>();
    private final List<Optional<String>> irbNumbersAsked = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The last answer the source gave for a key, and when (by the source's clock). */
    public record Given(Instant at, Script script) {}

    /** A source of this kind named {@code name}, asked at most {@code timeout}, with {@code cache}. */
    public static SourceConfig config(String name, Duration timeout, SourceConfig.SourceCache cache) {
        return config(name, timeout, cache, IdentityMapping.NONE);
    }

    public static SourceConfig config(
            String name, Duration timeout, SourceConfig.SourceCache cache, IdentityMapping identity) {
        return config(name, timeout, cache, identity, Optional.empty());
    }

    /** One asked with the IRB number another source's fact gives ({@code irb_number: source.fact}). */
    public static SourceConfig config(
            String name,
            Duration timeout,
            SourceConfig.SourceCache cache,
            IdentityMapping identity,
            Optional<String> irbNumber) {
        LdapSettings unused = new LdapSettings(
                List.of("ldap://127.0.0.1:1"),
                false,
                Optional.empty(),
                Secret.none(),
                Optional.empty(),
                Secret.none(),
                1,
                "dc=example",
                "(uid={user})",
                Map.of(),
                LdapSettings.GroupMode.DIRECT,
                Optional.empty(),
                Optional.empty(),
                10);
        return new SourceConfig(name, "test.yaml:1", timeout, cache, 8, identity, irbNumber, unused);
    }

    public void answer(Script next) {
        script.set(next);
    }

    public void answer(String key, Script next) {
        perKey.put(key, next);
    }

    /** Lets hanging lookups go on (they then fail). */
    public void release() {
        hang.countDown();
        hang = new CountDownLatch(1);
    }

    /** Lookups made at the source itself. */
    public int lookups() {
        return lookups.get();
    }

    /** The last answer given for {@code key}, if any. */
    public Optional<Given> lastGiven(String key) {
        return Optional.ofNullable(given.get(key));
    }

    /** Found answers for {@code key} give {@code irb_number}; others have none. */
    public void irbNumber(String key, String irbNumber) {
        irbNumbers.put(key, irbNumber);
    }

    /** The IRB numbers lookups were asked with, in order (empty for a source asked without one). */
    public List<Optional<String>> irbNumbersAsked() {
        return List.copyOf(irbNumbersAsked);
    }

    /** The keys asked, in order. */
    public List<String> keys() {
        return List.copyOf(keys);
    }

    @Override
    public FactType.Struct facts(SourceConfig source) {
        return FactType.Struct.of(
                SourceKind.typeName(source),
                "found",
                FactType.Scalar.BOOL,
                "groups",
                new FactType.ListOf(FactType.Scalar.STRING),
                "until",
                FactType.Scalar.TIMESTAMP,
                "ehr_username",
                FactType.Scalar.STRING,
                "irb_number",
                FactType.Scalar.STRING);
    }

    @Override
    public boolean perProject(SourceConfig source) {
        return false;
    }

    @Override
    public SourceAnswer unknownKey() {
        return new SourceAnswer(false, Map.of("found", false, "groups", List.of()), Optional.empty());
    }

    @Override
    public SourceClient open(SourceConfig source, Clock clock) {
        return new SourceClient() {
            @Override
            public SourceAnswer lookup(SourceKey key) throws SourceException {
                lookups.incrementAndGet();
                keys.add(key.user());
                irbNumbersAsked.add(key.irbNumber());
                Script s = perKey.getOrDefault(key.user(), script.get());
                if (s instanceof Found || s instanceof NotFound) {
                    given.put(key.user(), new Given(clock.instant(), s));
                }
                if (s instanceof Found f) {
                    Map<String, Object> facts = new java.util.LinkedHashMap<>();
                    facts.put("found", true);
                    facts.put("groups", f.groups());
                    facts.put("ehr_username", key.user() + "-ehr");
                    Optional.ofNullable(irbNumbers.get(key.user())).ifPresent(irb -> facts.put("irb_number", irb));
                    f.until().ifPresent(u -> facts.put("until", u));
                    return new SourceAnswer(true, facts, f.until());
                }
                if (s instanceof NotFound) {
                    return new SourceAnswer(false, Map.of("found", false, "groups", List.of()), Optional.empty());
                }
                if (s instanceof Fails fails) {
                    throw new SourceException(fails.message());
                }
                try {
                    CountDownLatch until = s instanceof HangsUntil h ? h.go() : hang;
                    until.await(source.timeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new SourceException("timed out after " + source.timeout().toMillis() + " ms");
            }

            @Override
            public void close() {}
        };
    }
}
