package io.cdpaccess.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SqlQuery;
import io.cdpaccess.config.SqlSettings;
import io.cdpaccess.source.JdbcFailures;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database whose driver does not ship: its jar, put in the source's {@code drivers}
 * directory, is loaded when the source opens. The jar is built here, from a driver for {@code
 * jdbc:cdptest:} URLs that hands connections to PostgreSQL's; its class is on no class path.
 */
class SqlDriversTest {

    static final String DRIVER = """
            package cdptest;

            import java.sql.Connection;
            import java.sql.Driver;
            import java.sql.DriverPropertyInfo;
            import java.sql.SQLException;
            import java.sql.SQLFeatureNotSupportedException;
            import java.util.Properties;
            import java.util.logging.Logger;

            public final class CdpTestDriver implements Driver {
                private static final String PREFIX = "jdbc:cdptest:";
                private final Driver postgresql = new org.postgresql.Driver();

                @Override
                public Connection connect(String url, Properties info) throws SQLException {
                    return acceptsURL(url)
                            ? postgresql.connect("jdbc:postgresql:" + url.substring(PREFIX.length()), info)
                            : null;
                }

                @Override
                public boolean acceptsURL(String url) {
                    return url != null && url.startsWith(PREFIX);
                }

                @Override
                public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
                    return new DriverPropertyInfo[0];
                }

                @Override
                public int getMajorVersion() {
                    return 1;
                }

                @Override
                public int getMinorVersion() {
                    return 0;
                }

                @Override
                public boolean jdbcCompliant() {
                    return false;
                }

                @Override
                public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                    throw new SQLFeatureNotSupportedException();
                }
            }
            """;

    static TestDatabase db;

    @TempDir
    static Path dir;

    static Path drivers;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        SqlSourceContract.execute(
                db,
                "CREATE TABLE study_staff (username VARCHAR(100), role VARCHAR(50))",
                "INSERT INTO study_staff VALUES ('alice', 'PI')");
        drivers = Files.createDirectories(dir.resolve("drivers"));
        Files.writeString(drivers.resolve("README.txt"), "not a jar");
        buildDriverJar(drivers.resolve("cdptest-driver.jar"));
    }

    /** Compiles {@link #DRIVER} and writes it, announced as a JDBC driver, into {@code jar}. */
    static void buildDriverJar(Path jar) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/cdptest"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = src.resolve("CdpTestDriver.java");
        Files.writeString(source, DRIVER);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(
                null,
                null,
                null,
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                classes.toString(),
                source.toString());
        assertThat(rc).as("the test driver compiles").isZero();
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("META-INF/services/java.sql.Driver"));
            j.write("cdptest.CdpTestDriver\n".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
    }

    static SqlSettings settings(String url, Path driversDir) {
        return new SqlSettings(
                url,
                db.config().user(),
                db.config().password(),
                1,
                SqlSourceContract.CHICAGO,
                SqlQuery.parse("SELECT role FROM study_staff WHERE username = :user", SqlQuery.Dialect.of(url)),
                List.of(new FactField("role", "role", FactField.Type.STRING)),
                driversDir);
    }

    @Test
    void aDriverInTheDriversDirectoryIsLoadedWhenTheSourceOpens() throws Exception {
        assertThatThrownBy(() -> Class.forName("cdptest.CdpTestDriver"))
                .as("the driver is on no class path")
                .isInstanceOf(ClassNotFoundException.class);
        String url = db.config().url().replace("jdbc:postgresql:", "jdbc:cdptest:");
        try (SourceClient client = SqlSourceContract.open(settings(url, drivers), SqlSourceContract.TIMEOUT)) {
            assertThat(SqlSourceContract.lookup(client, "alice").facts()).containsEntry("role", "PI");
            assertThat(SqlSourceContract.lookup(client, "bob").found()).isFalse();
            assertThat(client.writeAccessWarning())
                    .as("another database's rights are not known here")
                    .isEmpty();
        }
    }

    @Test
    void aUrlNoDriverTakesFailsTheOpenNamingTheDirectory() {
        Path empty = dir.resolve("nothing-here");
        assertThatThrownBy(() -> SqlSourceContract.open(
                        settings("jdbc:sqlserver://db.example.edu:1433;databaseName=hr;password=pw", empty),
                        SqlSourceContract.TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessage("source 'ctms': no JDBC driver for jdbc:sqlserver://db.example.edu:1433 ; put its jar in "
                        + empty);
        assertThatThrownBy(() -> SqlSourceContract.open(
                        settings("jdbc:sqlserver://db.example.edu:1433", drivers), SqlSourceContract.TIMEOUT))
                .as("a directory whose drivers take other URLs")
                .hasMessageContaining("no JDBC driver for jdbc:sqlserver://db.example.edu:1433 ; put its jar in");
    }

    @Test
    void messagesNeverCarryTheUrlsCredentials() {
        assertThat(JdbcFailures.describe("jdbc:postgresql://u:pw@db:5432/ctms?password=pw"))
                .isEqualTo("jdbc:postgresql://db:5432/ctms");
        assertThat(JdbcFailures.describe("jdbc:oracle:thin:scott/tiger@db:1521/clarity"))
                .isEqualTo("jdbc:oracle:thin:@db:1521/clarity");
        assertThat(JdbcFailures.oneLine(
                        new java.sql.SQLException("wrapped", new IllegalStateException("bad hunter2-secret\nmore")),
                        Secret.of("hunter2-secret"),
                        "jdbc:postgresql://db/ctms",
                        "jdbc:postgresql://db/ctms"))
                .isEqualTo("bad ****");
    }
}
