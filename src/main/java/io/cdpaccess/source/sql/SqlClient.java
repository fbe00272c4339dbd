package io.cdpaccess.source.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.cdpaccess.config.FactField;
import io.cdpaccess.config.SqlQuery;
import io.cdpaccess.config.SqlSettings;
import io.cdpaccess.source.JdbcFailures;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The connection to a {@code sql} source's database: one HikariCP pool of {@code pool_size}
 * read-only sessions, and one statement per lookup with the key bound as parameters.
 *
 * <p>The first row's columns are the facts; a {@code list} column collects its values over all
 * rows (at most {@value #MAX_ROWS}: more is a query that does not find one key's rows, and
 * fails rather than answer from a part). No row is "not found", with no other fact.
 *
 * <p>Sessions are read-only twice over for the databases the service knows ({@link
 * Connection#setReadOnly} and the session's default transaction mode), so even an account that
 * could write cannot through this client; for another database it is the driver's {@code
 * setReadOnly}, and the account's own rights.
 *
 * <p>Every wait is bounded by the source's {@code timeout}: getting a connection (HikariCP's
 * floor is 250 ms), connecting and each read on the socket (PostgreSQL's and MariaDB's
 * drivers are told; another driver's own URL settings apply), and the statement (the server
 * stops it too). As {@code redcapdb}'s client does, a connection found broken is given up for
 * the next within the same budget, and while the pool holds none after a failure a lookup
 * connects by itself rather than wait out HikariCP's back-off (only with the shipped drivers,
 * whose connecting is bounded).
 */
final class SqlClient implements SourceClient {

    /** Rows one lookup reads at most. */
    static final int MAX_ROWS = 1000;

    private static final long HIKARI_FLOOR_MILLIS = 250;
    private static final Executor DIRECT = Runnable::run;

    private final String source;
    private final SqlSettings settings;
    private final Duration timeout;
    private final String where;
    private final SqlQuery.Dialect dialect;
    private final JdbcDrivers.Found driver;
    private final DriverDataSource dataSource;
    private final HikariDataSource pool;

    private volatile boolean unreachable;

    private SqlClient(
            String source,
            SqlSettings settings,
            Duration timeout,
            String where,
            JdbcDrivers.Found driver,
            DriverDataSource dataSource,
            HikariDataSource pool) {
        this.source = source;
        this.settings = settings;
        this.timeout = timeout;
        this.where = where;
        this.dialect = SqlQuery.Dialect.of(settings.url());
        this.driver = driver;
        this.dataSource = dataSource;
        this.pool = pool;
    }

    static SqlClient open(String source, SqlSettings settings, Duration timeout) throws SourceException {
        String where = JdbcFailures.describe(settings.url());
        String url = driverUrl(settings.url());
        JdbcDrivers.Found driver;
        try {
            driver = JdbcDrivers.forUrl(url, settings.drivers(), where);
        } catch (SourceException e) {
            throw new SourceException("source '" + source + "': " + e.getMessage(), e);
        }
        SqlQuery.Dialect dialect = SqlQuery.Dialect.of(settings.url());
        long millis = Math.max(1, timeout.toMillis());
        DriverDataSource dataSource = new DriverDataSource(driver.driver(), url, properties(settings, dialect, millis));
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("source-" + source);
        hikari.setDataSource(dataSource);
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(settings.poolSize());
        hikari.setConnectionTimeout(Math.max(HIKARI_FLOOR_MILLIS, millis));
        hikari.setValidationTimeout(Math.max(HIKARI_FLOOR_MILLIS, millis));
        // A database down at start makes lookups fail (and the breaker open), not the start.
        hikari.setInitializationFailTimeout(-1);
        hikari.setReadOnly(true);
        hikari.setAutoCommit(true);
        readOnlySession(dialect).ifPresent(hikari::setConnectionInitSql);
        hikari.setExceptionOverride(new JdbcFailures.EvictBrokenConnections());
        try {
            return new SqlClient(source, settings, timeout, where, driver, dataSource, new HikariDataSource(hikari));
        } catch (RuntimeException e) {
            driver.close();
            throw new SourceException(
                    "source '" + source + "' (" + where + "): cannot set up the connection pool: "
                            + JdbcFailures.oneLine(e, settings.password(), settings.url(), driverUrl(settings.url())),
                    e);
        }
    }

    /** MariaDB's driver takes {@code jdbc:mysql:} only when told; it speaks to MySQL as well. */
    static String driverUrl(String url) {
        return url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring("jdbc:mysql:".length()) : url;
    }

    /** The account, and timeouts in each shipped driver's own units. */
    private static Properties properties(SqlSettings settings, SqlQuery.Dialect dialect, long millis) {
        Properties p = new Properties();
        if (!settings.user().isEmpty()) {
            p.setProperty("user", settings.user());
        }
        if (!settings.password().isEmpty()) {
            p.setProperty("password", settings.password().reveal());
        }
        timeouts(p, dialect, millis);
        return p;
    }

    private static void timeouts(Properties p, SqlQuery.Dialect dialect, long millis) {
        switch (dialect) {
            case POSTGRESQL -> {
                String seconds = Long.toString(Math.max(1, (millis + 999) / 1000));
                p.setProperty("connectTimeout", seconds);
                p.setProperty("loginTimeout", seconds);
                p.setProperty("socketTimeout", seconds);
            }
            case MYSQL -> {
                p.setProperty("connectTimeout", Long.toString(millis));
                p.setProperty("socketTimeout", Long.toString(millis));
            }
            case OTHER -> {
                // the driver's own settings, in the URL
            }
        }
    }

    /** The statement that makes a session's transactions read-only, where the service knows it. */
    private static Optional<String> readOnlySession(SqlQuery.Dialect dialect) {
        return switch (dialect) {
            // PostgreSQL's driver applies setReadOnly only outside autocommit.
            case POSTGRESQL -> Optional.of("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            case MYSQL -> Optional.of("SET SESSION TRANSACTION READ ONLY");
            case OTHER -> Optional.empty();
        };
    }

    @Override
    public SourceAnswer lookup(SourceKey key) throws SourceException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            Connection connection;
            try {
                connection = connectDirectly() ? direct(deadline) : pool.getConnection();
            } catch (SQLException e) {
                unreachable = true;
                throw failure("no connection to the database", e);
            }
            try (Connection c = connection) {
                return read(c, key, deadline);
            } catch (SQLException e) {
                if (attempt <= settings.poolSize()
                        && JdbcFailures.brokenConnection(e)
                        && remainingMillis(deadline) > 0) {
                    continue;
                }
                throw failure("the query failed", e);
            }
        }
    }

    private boolean connectDirectly() {
        if (!unreachable || dialect == SqlQuery.Dialect.OTHER) {
            return false;
        }
        HikariPoolMXBean state = pool.getHikariPoolMXBean();
        if (state != null && state.getTotalConnections() == 0) {
            return true;
        }
        unreachable = false;
        return false;
    }

    /** A session outside the pool, read-only as the pool's are, connecting within the lookup's budget. */
    private Connection direct(long deadline) throws SQLException {
        Properties p = dataSource.properties();
        timeouts(p, dialect, Math.max(1, remainingMillis(deadline)));
        Connection c = dataSource.connect(p);
        try {
            c.setReadOnly(true);
            Optional<String> readOnly = readOnlySession(dialect);
            if (readOnly.isPresent()) {
                try (Statement s = c.createStatement()) {
                    s.execute(readOnly.get());
                }
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private SourceAnswer read(Connection c, SourceKey key, long deadline) throws SQLException, SourceException {
        try (PreparedStatement ps = prepare(c, settings.query().jdbc(), deadline)) {
            bind(ps, key);
            try (ResultSet rs = ps.executeQuery()) {
                return answer(rs, key.now());
            }
        }
    }

    private void bind(PreparedStatement ps, SourceKey key) throws SQLException {
        List<SqlQuery.Parameter> parameters = settings.query().parameters();
        for (int i = 0; i < parameters.size(); i++) {
            int at = i + 1;
            switch (parameters.get(i)) {
                case USER -> ps.setString(at, key.user());
                case PROJECT_ID -> ps.setLong(at, key.projectId());
                case INSTANCE -> ps.setString(at, key.instance());
                case IRB_NUMBER -> {
                    if (key.irbNumber().isPresent()) {
                        ps.setString(at, key.irbNumber().get());
                    } else {
                        ps.setNull(at, Types.VARCHAR);
                    }
                }
            }
        }
    }

    private SourceAnswer answer(ResultSet rs, Instant now) throws SQLException, SourceException {
        List<FactField> fields = settings.columns();
        ResultSetMetaData md = rs.getMetaData();
        int[] columns = columns(md, fields);
        SqlValues.Kind[] kinds = new SqlValues.Kind[fields.size()];
        for (int f = 0; f < fields.size(); f++) {
            kinds[f] = SqlValues.Kind.of(md, columns[f]);
        }
        Map<String, Object> first = new HashMap<>();
        Map<String, Set<String>> lists = new HashMap<>();
        int rows = 0;
        while (rs.next()) {
            rows++;
            if (rows > MAX_ROWS) {
                throw new SourceException("source '" + source + "' (" + where + "): the query gave more than "
                        + MAX_ROWS + " rows for one key; it should find that key's rows only");
            }
            for (int f = 0; f < fields.size(); f++) {
                FactField field = fields.get(f);
                if (field.type() == FactField.Type.LIST) {
                    lists.computeIfAbsent(field.name(), n -> new LinkedHashSet<>())
                            .addAll(SqlValues.items(rs, columns[f], kinds[f]));
                } else if (rows == 1) {
                    try {
                        Object value = SqlValues.scalar(rs, columns[f], kinds[f], field.type(), settings.zone());
                        if (value != null) {
                            first.put(field.name(), value);
                        }
                    } catch (SqlValues.Mismatch e) {
                        throw new SourceException(
                                "source '" + source + "' (" + where + "): column " + field.from() + " ("
                                        + md.getColumnTypeName(columns[f]) + ") is declared "
                                        + field.type().written() + ": " + e.getMessage(),
                                e);
                    }
                }
            }
        }
        if (rows == 0) {
            return new SourceAnswer(false, Map.of("found", false), Optional.empty());
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("found", true);
        Optional<Instant> changesAt = Optional.empty();
        for (FactField field : fields) {
            Object value = field.type() == FactField.Type.LIST
                    ? List.copyOf(lists.getOrDefault(field.name(), Set.of()))
                    : first.get(field.name());
            if (value != null) {
                facts.put(field.name(), value);
            }
            // A date or time still to come is when a rule comparing it with now may answer otherwise.
            if (value instanceof Instant at
                    && at.isAfter(now)
                    && changesAt.map(at::isBefore).orElse(true)) {
                changesAt = Optional.of(at);
            }
        }
        return new SourceAnswer(true, facts, changesAt);
    }

    /** The result's column of each fact, by label without regard to case; an error names any missing. */
    private int[] columns(ResultSetMetaData md, List<FactField> fields) throws SQLException, SourceException {
        Map<String, Integer> byLabel = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            byLabel.putIfAbsent(md.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        int[] columns = new int[fields.size()];
        List<String> missing = new ArrayList<>();
        for (int f = 0; f < fields.size(); f++) {
            Integer at = byLabel.get(fields.get(f).from().toLowerCase(Locale.ROOT));
            if (at == null) {
                missing.add(fields.get(f).from());
            } else {
                columns[f] = at;
            }
        }
        if (!missing.isEmpty()) {
            throw new SourceException("source '" + source + "' (" + where + "): the query gives no column "
                    + String.join(", ", missing) + " (declared in columns:); it gives "
                    + String.join(", ", byLabel.keySet()));
        }
        return columns;
    }

    private PreparedStatement prepare(Connection c, String sql, long deadline) throws SQLException, SourceException {
        long remaining = remainingMillis(deadline);
        if (remaining <= 0) {
            throw new SourceException(
                    "source '" + source + "' (" + where + "): the database did not answer within " + timeoutText());
        }
        try {
            c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, remaining));
        } catch (SQLFeatureNotSupportedException e) {
            // the query timeout still applies
        }
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout((int) Math.max(1, (remaining + 999) / 1000));
        ps.setMaxRows(MAX_ROWS + 1);
        return ps;
    }

    @Override
    public Optional<String> writeAccessWarning() {
        try (Connection c = pool.getConnection()) {
            int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
            Optional<String> writes = switch (dialect) {
                case POSTGRESQL -> SqlWriteAccess.postgresql(c, seconds);
                case MYSQL -> SqlWriteAccess.mariaDb(c, seconds);
                case OTHER -> Optional.empty();
            };
            return writes.map(w -> "source '" + source + "': database account '" + settings.user()
                    + "' can change the database (" + w + "); the source only reads: give it an account"
                    + " that can only SELECT");
        } catch (SQLException e) {
            return Optional.empty(); // unknown is no warning: the sessions are read-only anyway
        }
    }

    /** A session of the pool as lookups get one, for checks that it cannot write. */
    Connection session() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
        driver.close();
    }

    private long remainingMillis(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    private SourceException failure(String what, SQLException e) {
        String message = JdbcFailures.timedOut(e)
                ? "the database did not answer within " + timeoutText()
                : what + ": " + JdbcFailures.oneLine(e, settings.password(), settings.url(), driverUrl(settings.url()));
        return new SourceException("source '" + source + "' (" + where + "): " + message, e);
    }

    private String timeoutText() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }
}
