package io.cdpaccess.source.sql;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.config.SqlQuery;
import io.cdpaccess.config.SqlSettings;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKind;
import java.time.Clock;

/**
 * Any JDBC database as a fact source ({@code type: sql}): a CTMS's staff list, an HR leaver
 * feed, Epic Clarity. The configured query finds the key's rows, with {@code :user}, {@code
 * :project_id}, {@code :instance} and {@code :irb_number} bound as parameters; its first row's
 * columns are the declared facts ({@code columns:}), and a {@code list} column collects the
 * values of every row (each protocol a person is staff on).
 *
 * <p>Facts, as rules read them (a source named {@code ctms}): {@code ctms.found} (the query gave
 * a row) and each declared column, typed as declared; a {@code NULL} leaves the fact out. No row
 * is {@code found == false} with no other fact, so rules ask {@code ctms.found} first. A date
 * means the end of that day in the source's {@code zone}; an answer holding a date or time still
 * to come is not used past it.
 */
public final class SqlSource implements SourceKind {

    @Override
    public FactType.Struct facts(SourceConfig source) {
        return FactFields.struct(source, settings(source).columns());
    }

    /** Per project exactly when the query reads the project, or its IRB number. */
    @Override
    public boolean perProject(SourceConfig source) {
        SqlQuery q = settings(source).query();
        return q.uses(SqlQuery.Parameter.PROJECT_ID) || q.uses(SqlQuery.Parameter.IRB_NUMBER);
    }

    @Override
    public boolean perInstance(SourceConfig source) {
        return settings(source).query().uses(SqlQuery.Parameter.INSTANCE);
    }

    /** A key this source cannot be asked with (a project without an IRB number): not found. */
    @Override
    public io.cdpaccess.source.SourceAnswer unknownKey() {
        return new io.cdpaccess.source.SourceAnswer(
                false, java.util.Map.of("found", false), java.util.Optional.empty());
    }

    /** A pool that connects in the background: a database down at start fails lookups, not the start. */
    @Override
    public SourceClient open(SourceConfig source, Clock clock) throws SourceException {
        if (!(source.settings() instanceof SqlSettings settings)) {
            throw new SourceException("source '" + source.name() + "' is of type " + source.type() + ", not sql");
        }
        return SqlClient.open(source.name(), settings, source.timeout());
    }

    private static SqlSettings settings(SourceConfig source) {
        if (!(source.settings() instanceof SqlSettings settings)) {
            throw new IllegalArgumentException(
                    source.origin() + ": source '" + source.name() + "' is of type " + source.type() + ", not sql");
        }
        return settings;
    }
}
