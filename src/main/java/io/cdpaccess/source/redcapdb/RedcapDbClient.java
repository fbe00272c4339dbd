package io.cdpaccess.source.redcapdb;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.source.JdbcFailures;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The connection to REDCap's database: one HikariCP pool of {@code pool_size} read-only
 * sessions, and two queries per lookup with bound parameters only — the account, rights, role
 * and project in one statement, then the EHR usernames of a user that exists.
 *
 * <p>It never goes through the service's own {@code Database}: that one migrates and checks
 * collations, and REDCap's database is REDCap's. Sessions are marked read-only twice over
 * ({@link Connection#setReadOnly} and {@code SET SESSION TRANSACTION READ ONLY}), so even an
 * account that could write cannot through this client.
 *
 * <p>Every wait is bounded by the source's {@code timeout}: getting a connection (HikariCP's
 * floor is 250 ms), connecting, each read on the socket, and the statements (the server stops
 * them too). A connection that broke while idle in the pool — the server restarted, a firewall
 * dropped it — is given up for the next one, then a fresh one, within the same budget: every
 * failed answer denies a researcher for the rest of their REDCap session. For the same reason,
 * once a lookup found no connection and while the pool holds none (the database was down), a
 * lookup connects by itself instead of waiting for the pool's next try, which HikariCP backs off
 * to seconds apart.
 */
final class RedcapDbClient implements SourceClient {

    /** HikariCP replaces shorter waits for a connection with its 30 s default. */
    private static final long HIKARI_FLOOR_MILLIS = 250;

    private static final Executor DIRECT = Runnable::run;

    private static final String FACTS =
            "SELECT u.username, u.ui_id, u.super_user, u.user_suspended_time, u.user_expiration,"
                    + " r.username, r.expiration, r.role_id, r.realtime_webservice_mapping, r.realtime_webservice_adjudicate,"
                    + " ro.role_id, ro.role_name, ro.realtime_webservice_mapping, ro.realtime_webservice_adjudicate,"
                    + " p.project_id, p.project_irb_number, p.status, p.date_deleted, p.realtime_webservice_enabled,"
                    + " p.realtime_webservice_type"
                    + " FROM (SELECT 1 AS one) AS one"
                    + " LEFT JOIN redcap_user_information u ON u.username = ?"
                    + " LEFT JOIN redcap_user_rights r ON r.project_id = ? AND r.username = ?"
                    + " LEFT JOIN redcap_user_roles ro ON ro.role_id = r.role_id AND ro.project_id = r.project_id"
                    + " LEFT JOIN redcap_projects p ON p.project_id = ?";

    private static final String HAS_EHR_ID = "SELECT COUNT(*) FROM information_schema.columns"
            + " WHERE table_schema = DATABASE() AND table_name = 'redcap_ehr_user_map' AND column_name = 'ehr_id'";

    private final String source;
    private final RedcapDbSettings settings;
    private final Duration timeout;
    private final String where;
    private final HikariDataSource pool;

    /** A lookup found no connection since the pool last held one: lookups connect by themselves. */
    private volatile boolean unreachable;

    /** Whether {@code redcap_ehr_user_map} has {@code ehr_id} (REDCap added it with multiple EHRs); asked once. */
    private volatile Boolean ehrIdColumn;

    private RedcapDbClient(
            String source, RedcapDbSettings settings, Duration timeout, String where, HikariDataSource pool) {
        this.source = source;
        this.settings = settings;
        this.timeout = timeout;
        this.where = where;
        this.pool = pool;
    }

    static RedcapDbClient open(String source, RedcapDbSettings settings, Duration timeout) throws SourceException {
        String where = JdbcFailures.describe(settings.url());
        long millis = Math.max(1, timeout.toMillis());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("source-" + source);
        hikari.setDriverClassName("org.mariadb.jdbc.Driver");
        hikari.setJdbcUrl(mariaDbUrl(settings.url()));
        hikari.setUsername(settings.user());
        if (!settings.password().isEmpty()) {
            hikari.setPassword(settings.password().reveal());
        }
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(settings.poolSize());
        hikari.setConnectionTimeout(Math.max(HIKARI_FLOOR_MILLIS, millis));
        hikari.setValidationTimeout(Math.max(HIKARI_FLOOR_MILLIS, millis));
        // Start without a connection: a database down at start makes lookups fail (and the
        // breaker open) rather than the service refuse to start; the pool fills once it is back.
        hikari.setInitializationFailTimeout(-1);
        hikari.setReadOnly(true);
        hikari.setAutoCommit(true);
        hikari.setConnectionInitSql("SET SESSION TRANSACTION READ ONLY");
        hikari.addDataSourceProperty("connectTimeout", Long.toString(millis));
        hikari.addDataSourceProperty("socketTimeout", Long.toString(millis));
        hikari.setExceptionOverride(new JdbcFailures.EvictBrokenConnections());
        try {
            return new RedcapDbClient(source, settings, timeout, where, new HikariDataSource(hikari));
        } catch (RuntimeException e) {
            throw new SourceException(
                    "source '" + source + "' (" + where + "): cannot set up the connection pool: "
                            + oneLine(e, settings),
                    e);
        }
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
                throw failure("no connection to REDCap's database", e);
            }
            try (Connection c = connection) {
                return read(c, key, deadline);
            } catch (SQLException e) {
                // It had died in the pool (after a server restart all of them have): dead ones
                // fail at once, so trying each and then a fresh one stays within the budget.
                if (attempt <= settings.poolSize()
                        && JdbcFailures.brokenConnection(e)
                        && remainingMillis(deadline) > 0) {
                    continue;
                }
                throw failure("cannot read REDCap's database", e);
            }
        }
    }

    /**
     * Whether a lookup found no connection and the pool still holds none, open or idle: its next
     * try to connect may be seconds away. (At start the pool's first try is not waited out.)
     */
    private boolean connectDirectly() {
        if (!unreachable) {
            return false;
        }
        HikariPoolMXBean state = pool.getHikariPoolMXBean();
        if (state != null && state.getTotalConnections() == 0) {
            return true;
        }
        unreachable = false;
        return false;
    }

    /**
     * A session of its own, outside the pool, made read-only as the pool's are. HikariCP backs
     * off between failed tries to connect, up to 5 s apart, and a lookup waiting for it would fail
     * for a database that is back (and a breaker's probe failing so keeps it open twice as long):
     * so a lookup connects itself within its budget, and the pool fills again in the background.
     */
    private Connection direct(long deadline) throws SQLException {
        long remaining = Math.max(1, remainingMillis(deadline));
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        if (!settings.password().isEmpty()) {
            properties.setProperty("password", settings.password().reveal());
        }
        properties.setProperty("connectTimeout", Long.toString(remaining));
        properties.setProperty("socketTimeout", Long.toString(remaining));
        Connection c = DriverManager.getConnection(mariaDbUrl(settings.url()), properties);
        try (Statement s = c.createStatement()) {
            c.setReadOnly(true);
            s.execute("SET SESSION TRANSACTION READ ONLY");
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private SourceAnswer read(Connection c, SourceKey key, long deadline) throws SQLException, SourceException {
        Optional<RedcapFacts.User> user = Optional.empty();
        Optional<RedcapFacts.Rights> rights = Optional.empty();
        Optional<RedcapFacts.Project> project = Optional.empty();
        try (PreparedStatement ps = prepare(c, FACTS, deadline)) {
            ps.setString(1, key.user());
            ps.setLong(2, key.projectId());
            ps.setString(3, key.user());
            ps.setLong(4, key.projectId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    user = user(rs, key.user());
                    rights = rights(rs, key.user());
                    project = project(rs);
                }
            }
        }
        List<String> ehr = user.isPresent() ? ehrUsernames(c, user.get().uiId(), deadline) : List.of();
        return RedcapFacts.answer(user, rights, project, ehr, key.now(), settings.zone());
    }

    /**
     * The database finds the row as REDCap does, by its case-insensitive collation; the row
     * counts only if its name normalizes to the key, because {@code _unicode_ci} also takes
     * {@code muller} for {@code müller} and {@code ss} for {@code ß}, which REDCap would never
     * send for each other (it lower-cases ASCII letters only).
     */
    private static boolean sameUser(String stored, String key) {
        return stored != null && Username.normalize(stored).equals(key);
    }

    private static Optional<RedcapFacts.User> user(ResultSet rs, String key) throws SQLException {
        if (!sameUser(rs.getString(1), key)) {
            return Optional.empty();
        }
        return Optional.of(new RedcapFacts.User(rs.getLong(2), flag(rs, 3), dateTime(rs, 4), dateTime(rs, 5)));
    }

    private static Optional<RedcapFacts.Rights> rights(ResultSet rs, String key) throws SQLException {
        if (!sameUser(rs.getString(6), key)) {
            return Optional.empty();
        }
        Optional<RedcapFacts.Role> role = rs.getObject(11) == null
                ? Optional.empty()
                : Optional.of(new RedcapFacts.Role(
                        Optional.ofNullable(rs.getString(12)).orElse(""), flag(rs, 13), flag(rs, 14)));
        return Optional.of(new RedcapFacts.Rights(
                Optional.ofNullable(rs.getObject(7, LocalDate.class)), number(rs, 8), flag(rs, 9), flag(rs, 10), role));
    }

    private static Optional<RedcapFacts.Project> project(ResultSet rs) throws SQLException {
        if (rs.getObject(15) == null) {
            return Optional.empty();
        }
        return Optional.of(new RedcapFacts.Project(
                Optional.ofNullable(rs.getString(16)),
                number(rs, 17),
                dateTime(rs, 18),
                flag(rs, 19),
                Optional.ofNullable(rs.getString(20))));
    }

    private List<String> ehrUsernames(Connection c, long uiId, long deadline) throws SQLException, SourceException {
        boolean withEhrId = hasEhrIdColumn(c, deadline);
        if (settings.ehrId().isPresent() && !withEhrId) {
            throw new SourceException("source '" + source + "' (" + where + "): ehr_id is set but REDCap's"
                    + " redcap_ehr_user_map has no ehr_id column (a REDCap version with one EHR): remove ehr_id");
        }
        String sql = "SELECT ehr_username FROM redcap_ehr_user_map WHERE redcap_userid = ?"
                + (settings.ehrId().isPresent() ? " AND ehr_id = ?" : "")
                // The first is the key of a source whose identity is via ehr_usernames: keep it stable.
                + (withEhrId ? " ORDER BY ehr_id, ehr_username" : " ORDER BY ehr_username");
        Set<String> names = new LinkedHashSet<>();
        try (PreparedStatement ps = prepare(c, sql, deadline)) {
            ps.setLong(1, uiId);
            if (settings.ehrId().isPresent()) {
                ps.setLong(2, settings.ehrId().get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (name != null && !name.isBlank()) {
                        names.add(name);
                    }
                }
            }
        }
        return new ArrayList<>(names);
    }

    private boolean hasEhrIdColumn(Connection c, long deadline) throws SQLException, SourceException {
        Boolean known = ehrIdColumn;
        if (known != null) {
            return known;
        }
        try (PreparedStatement ps = prepare(c, HAS_EHR_ID, deadline);
                ResultSet rs = ps.executeQuery()) {
            boolean has = rs.next() && rs.getLong(1) > 0;
            ehrIdColumn = has; // a REDCap upgrade adding it is seen at the next start
            return has;
        }
    }

    /** A statement that gives up when the lookup's time is up: on the socket and on the server. */
    private PreparedStatement prepare(Connection c, String sql, long deadline) throws SQLException, SourceException {
        long remaining = remainingMillis(deadline);
        if (remaining <= 0) {
            throw new SourceException("source '" + source + "' (" + where
                    + "): REDCap's database did not answer within " + timeoutText());
        }
        c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, remaining));
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout((int) Math.max(1, (remaining + 999) / 1000));
        return ps;
    }

    @Override
    public Optional<String> writeAccessWarning() {
        List<String> lines = new ArrayList<>();
        Optional<String> database;
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                database = rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
            try (ResultSet rs = s.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            return Optional.empty(); // unknown is no warning: the sessions are read-only anyway
        }
        return WriteGrants.warning(source, settings.user(), lines, database);
    }

    /** A session of the pool as lookups get one, for checks that it cannot write. */
    Connection session() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void close() {
        pool.close();
    }

    private long remainingMillis(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    private SourceException failure(String what, SQLException e) {
        String message = JdbcFailures.timedOut(e)
                ? "REDCap's database did not answer within " + timeoutText()
                : what + ": " + oneLine(e, settings);
        return new SourceException("source '" + source + "' (" + where + "): " + message, e);
    }

    private String timeoutText() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }

    /** A driver's message in one safe line: see {@link JdbcFailures#oneLine}. */
    static String oneLine(Throwable e, RedcapDbSettings settings) {
        return JdbcFailures.oneLine(e, settings.password(), settings.url(), mariaDbUrl(settings.url()));
    }

    /**
     * MariaDB Connector/J takes {@code jdbc:mysql:} only with {@code permitMysqlScheme}; REDCap's
     * own settings name MySQL, so the URL is read as MariaDB's, which speaks to both servers.
     */
    static String mariaDbUrl(String url) {
        return url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring("jdbc:mysql:".length()) : url;
    }

    private static boolean flag(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return !rs.wasNull() && v != 0;
    }

    private static Optional<Long> number(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    /** A {@code DATETIME} as it is written, with no zone applied by the driver. */
    private static Optional<LocalDateTime> dateTime(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getObject(column, LocalDateTime.class));
    }
}
