package io.cdpaccess.source;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import java.time.Clock;

/**
 * One kind of fact source ({@code ldap}, {@code redcapdb}): the facts it declares, so that rules
 * reading them are type-checked when the policy loads, and how to open a client.
 */
public interface SourceKind {

    /**
     * The type of the source's variable: a structure whose CEL type name is unique to the source
     * (such as {@code source.ldap}, from {@link #typeName}), its fields the facts rules read.
     */
    FactType.Struct facts(SourceConfig source);

    /** Whether the facts depend on the project as well as on the user (the cache keys on both). */
    boolean perProject(SourceConfig source);

    /**
     * Whether the facts depend on which REDCap installation asks (a query that reads {@code
     * :instance}): the cache keys on it too.
     */
    default boolean perInstance(SourceConfig source) {
        return false;
    }

    /**
     * Whether the facts depend on the REDCap username itself as well as on the key it maps to
     * (a web source whose URL has {@code {redcap_user}}): the cache keys on it too.
     */
    default boolean perRedcapUser(SourceConfig source) {
        return false;
    }

    /**
     * Whether the client answers from a copy it holds in memory (a roster file), at once and
     * without I/O. Then {@link LiveSource} asks it on the deciding thread, with no cache (a cached
     * answer would outlive a row removed by a reload: a leaver would keep access for {@code
     * cache.found}), no circuit breaker and no stale answers: the client's own last good copy is
     * what stands in while its file is bad, and its {@link SourceClient#health} says so.
     */
    default boolean answersFromMemory(SourceConfig source) {
        return false;
    }

    /**
     * A client for this source. Opening should not wait for the server: a directory that is down
     * at start makes lookups fail (and the breaker open), not the service refuse to start.
     *
     * @throws SourceException when the settings cannot work at all (an unreadable trust store)
     */
    SourceClient open(SourceConfig source, Clock clock) throws SourceException;

    /**
     * The answer for a user this source cannot be asked about, because the key its identity
     * takes from another source is empty (a user who never launched REDCap from the EHR has no
     * EHR username): "not found", with the facts a not-found lookup would give.
     */
    default SourceAnswer unknownKey() {
        return new SourceAnswer(false, java.util.Map.of(), java.util.Optional.empty());
    }

    /** The CEL type name for a structure of {@code source}'s facts, e.g. {@code source.ldap.attributes}. */
    static String typeName(SourceConfig source, String... nested) {
        return "source." + source.name() + (nested.length == 0 ? "" : "." + String.join(".", nested));
    }
}
