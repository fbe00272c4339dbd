package io.cdpaccess.source.redcapdb;

import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.source.JdbcFailures;
import io.cdpaccess.source.SourceException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ways EHR data reaches REDCap without this service being asked, as REDCap's own database
 * records them: the system settings ({@code redcap_config}) and, per project, the settings of
 * CDP auto-adjudication and its cron, Clinical Data Mart and its cron, and Epic Break-the-Glass
 * ({@code redcap_projects}); see REDCAP.md. REDCap calls the service only when a user fetches
 * data in a project; an administrator relying on it must know where else data comes in.
 *
 * <p>REDCap added these columns over many versions, so each is asked for only if the table has it
 * ({@code information_schema}); one that is absent is reported as unknown rather than failing the
 * report. Read-only as the source is: its own session, marked read-only twice over, never the
 * pool the decisions use. Deleted projects (waiting for REDCap's purge) are left out.
 */
public final class RedcapCoverage {

    /** The system settings that open or close these paths, as REDCap names them. */
    public static final List<String> SETTINGS = List.of(
            "fhir_cdp_allow_auto_adjudication",
            "fhir_break_the_glass_enabled",
            "fhir_data_mart_create_project",
            "fhir_user_rights_super_users_only");

    /** A path around the service, and the {@code redcap_projects} column that opens it for a project. */
    public enum Path {
        CDP_AUTO_ADJUDICATION("fhir_cdp_auto_adjudication_enabled", "CDP auto-adjudication"),
        CDP_AUTO_ADJUDICATION_CRON("fhir_cdp_auto_adjudication_cronjob_enabled", "CDP auto-adjudication cron"),
        DATA_MART("datamart_enabled", "Clinical Data Mart"),
        DATA_MART_CRON("datamart_cron_enabled", "Clinical Data Mart cron"),
        BREAK_THE_GLASS("break_the_glass_enabled", "Epic Break-the-Glass");

        private final String column;
        private final String label;

        Path(String column, String label) {
            this.column = column;
            this.label = label;
        }

        public String column() {
            return column;
        }

        public String label() {
            return label;
        }
    }

    /** A setting of a project: on, off, or not known because this REDCap has no such column. */
    public enum State {
        ON,
        OFF,
        UNKNOWN
    }

    /**
     * A project with EHR data pull enabled or a path around the service opened.
     *
     * @param status REDCap's status: 0 development, 1 production, 2 analysis, 3 archived
     * @param dataPull {@code realtime_webservice_enabled}
     * @param dataPullType {@code FHIR} (CDP) or {@code CUSTOM} (DDP Custom), when set
     * @param paths each path's setting
     */
    public record Project(
            long projectId,
            Optional<Long> status,
            State dataPull,
            Optional<String> dataPullType,
            Map<Path, State> paths) {

        public Project {
            paths = Map.copyOf(paths);
        }

        /** The paths whose setting is on. */
        public List<Path> open() {
            return List.of(Path.values()).stream()
                    .filter(p -> paths.get(p) == State.ON)
                    .toList();
        }
    }

    /**
     * What REDCap's database says.
     *
     * @param settings each of {@link #SETTINGS} with its value, empty when REDCap has no such row
     * @param projects the projects with data pull enabled or a path opened, by id
     * @param otherProjects the projects (not deleted) with neither
     * @param absentColumns the {@code redcap_projects} columns this REDCap lacks
     * @param configTable whether {@code redcap_config} exists
     */
    public record Coverage(
            Map<String, Optional<String>> settings,
            List<Project> projects,
            long otherProjects,
            List<String> absentColumns,
            boolean configTable) {

        public Coverage {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            projects = List.copyOf(projects);
            absentColumns = List.copyOf(absentColumns);
        }
    }

    /** How long the report's statements may take: longer than a lookup's budget, still bounded. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);

    private static final List<String> OPTIONAL_COLUMNS =
            List.of("status", "date_deleted", "realtime_webservice_enabled", "realtime_webservice_type");

    private RedcapCoverage() {}

    /** Where a source's database is, for people: {@code jdbc:mariadb://host:3306/redcap}, no credentials. */
    public static String describe(String url) {
        return JdbcFailures.describe(url);
    }

    /**
     * Reads the coverage from the database of the source named {@code source}.
     *
     * @param connectTimeout how long connecting may take (the source's timeout, at least a second)
     * @throws SourceException with one line saying what failed, where, without credentials
     */
    public static Coverage read(String source, RedcapDbSettings settings, Duration connectTimeout)
            throws SourceException {
        String where = JdbcFailures.describe(settings.url());
        try (Connection c = connect(settings, connectTimeout)) {
            Set<String> columns = columns(c, "redcap_projects");
            if (!columns.contains("project_id")) {
                throw new SourceException("source '" + source + "' (" + where
                        + "): REDCap's database has no redcap_projects table; is url the REDCap database?");
            }
            List<String> absent = new ArrayList<>();
            for (String column : OPTIONAL_COLUMNS) {
                if (!columns.contains(column)) {
                    absent.add(column);
                }
            }
            for (Path p : Path.values()) {
                if (!columns.contains(p.column())) {
                    absent.add(p.column());
                }
            }
            boolean configTable = !columns(c, "redcap_config").isEmpty();
            Map<String, Optional<String>> values = configTable ? settings(c) : Map.of();
            Map<String, Optional<String>> ordered = new LinkedHashMap<>();
            SETTINGS.forEach(name -> ordered.put(name, values.getOrDefault(name, Optional.empty())));
            List<Project> projects = projects(c, columns);
            long all = count(c, "SELECT COUNT(*) FROM redcap_projects" + notDeleted(columns));
            return new Coverage(ordered, projects, all - projects.size(), absent, configTable);
        } catch (SQLException e) {
            throw new SourceException(
                    "source '" + source + "' (" + where + "): cannot read REDCap's database: "
                            + RedcapDbClient.oneLine(e, settings),
                    e);
        }
    }

    private static Connection connect(RedcapDbSettings settings, Duration connectTimeout) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        if (!settings.password().isEmpty()) {
            properties.setProperty("password", settings.password().reveal());
        }
        properties.setProperty("connectTimeout", Long.toString(Math.max(1000, connectTimeout.toMillis())));
        properties.setProperty("socketTimeout", Long.toString(STATEMENT_TIMEOUT.toMillis()));
        Connection c = DriverManager.getConnection(RedcapDbClient.mariaDbUrl(settings.url()), properties);
        try (Statement s = c.createStatement()) {
            c.setReadOnly(true);
            s.execute("SET SESSION TRANSACTION READ ONLY");
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static Set<String> columns(Connection c, String table) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = statement(
                c,
                "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static Map<String, Optional<String>> settings(Connection c) throws SQLException {
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        String marks = SETTINGS.stream().map(s -> "?").collect(Collectors.joining(", "));
        try (PreparedStatement ps =
                statement(c, "SELECT field_name, value FROM redcap_config WHERE field_name IN (" + marks + ")")) {
            for (int i = 0; i < SETTINGS.size(); i++) {
                ps.setString(i + 1, SETTINGS.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.put(rs.getString(1), Optional.ofNullable(rs.getString(2)));
                }
            }
        }
        return values;
    }

    private static List<Project> projects(Connection c, Set<String> columns) throws SQLException {
        List<String> select = new ArrayList<>(List.of("project_id"));
        for (String column : OPTIONAL_COLUMNS) {
            select.add(columns.contains(column) ? column : "NULL");
        }
        List<String> opened = new ArrayList<>();
        if (columns.contains("realtime_webservice_enabled")) {
            opened.add("realtime_webservice_enabled = 1");
        }
        for (Path p : Path.values()) {
            select.add(columns.contains(p.column()) ? p.column() : "NULL");
            if (columns.contains(p.column())) {
                opened.add(p.column() + " = 1");
            }
        }
        if (opened.isEmpty()) {
            return List.of();
        }
        String notDeleted = notDeleted(columns);
        String sql = "SELECT " + String.join(", ", select) + " FROM redcap_projects"
                + notDeleted + (notDeleted.isEmpty() ? " WHERE (" : " AND (") + String.join(" OR ", opened)
                + ") ORDER BY project_id";
        List<Project> out = new ArrayList<>();
        try (PreparedStatement ps = statement(c, sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<Path, State> paths = new EnumMap<>(Path.class);
                int i = 2 + OPTIONAL_COLUMNS.size();
                for (Path p : Path.values()) {
                    paths.put(p, columns.contains(p.column()) ? flag(rs, i) : State.UNKNOWN);
                    i++;
                }
                long status = rs.getLong(2);
                Optional<Long> known = rs.wasNull() ? Optional.empty() : Optional.of(status);
                State dataPull = columns.contains("realtime_webservice_enabled") ? flag(rs, 4) : State.UNKNOWN;
                out.add(new Project(
                        rs.getLong(1),
                        known,
                        dataPull,
                        Optional.ofNullable(rs.getString(5)).filter(t -> !t.isBlank()),
                        paths));
            }
        }
        return out;
    }

    private static String notDeleted(Set<String> columns) {
        return columns.contains("date_deleted") ? " WHERE date_deleted IS NULL" : "";
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = statement(c, sql);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static PreparedStatement statement(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout((int) STATEMENT_TIMEOUT.toSeconds());
        return ps;
    }

    private static State flag(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return !rs.wasNull() && v != 0 ? State.ON : State.OFF;
    }
}
