package io.cdpaccess.source.roster;

import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKind;
import java.time.Clock;

/**
 * A CSV or TSV file as a fact source ({@code type: roster}): a nightly export of active EHR users,
 * of training completions, of leavers. Rules read {@code name.found} (the user has a row) and each
 * declared column, typed. The file is held in memory ({@link RosterClient}), so lookups take
 * microseconds and are not cached: a row removed from the file stops counting at the next reload.
 */
public final class RosterSource implements SourceKind {

    @Override
    public FactType.Struct facts(SourceConfig source) {
        return FactFields.struct(source, settings(source).columns());
    }

    /** One row per user, whatever the project. */
    @Override
    public boolean perProject(SourceConfig source) {
        return false;
    }

    @Override
    public boolean answersFromMemory(SourceConfig source) {
        return true;
    }

    @Override
    public SourceAnswer unknownKey() {
        return Roster.NOT_FOUND;
    }

    /** Reads the file now; a missing or malformed file makes lookups fail, not the start. */
    @Override
    public SourceClient open(SourceConfig source, Clock clock) throws SourceException {
        return RosterClient.open(source.name(), settings(source), clock);
    }

    private static RosterSettings settings(SourceConfig source) {
        if (!(source.settings() instanceof RosterSettings settings)) {
            throw new IllegalArgumentException(
                    "source '" + source.name() + "' is of type " + source.type() + ", not roster");
        }
        return settings;
    }
}
