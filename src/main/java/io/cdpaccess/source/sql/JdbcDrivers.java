package io.cdpaccess.source.sql;

import io.cdpaccess.source.SourceException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds the JDBC driver for a source's URL: PostgreSQL's and MariaDB's ship with the service;
 * any other is a jar an administrator puts in the source's {@code drivers} directory, loaded in a
 * class loader of its own and found as JDBC 4 drivers announce themselves ({@code
 * META-INF/services/java.sql.Driver}).
 *
 * <p>The driver instance is used directly, never through {@code DriverManager}, which only hands
 * out drivers visible to the caller's class loader, nor by class name through HikariCP, which
 * loads it from the thread's context class loader.
 */
final class JdbcDrivers {

    /** The drivers the service ships: PostgreSQL's, and MariaDB's (which also speaks to MySQL). */
    private static final List<String> SHIPPED = List.of("org.postgresql.Driver", "org.mariadb.jdbc.Driver");

    private JdbcDrivers() {}

    private static Driver shipped(String className) {
        try {
            return Class.forName(className, true, JdbcDrivers.class.getClassLoader())
                    .asSubclass(Driver.class)
                    .getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the build lacks its JDBC driver " + className, e);
        }
    }

    /** A driver and the class loader that holds it (closed with the source; none for a shipped one). */
    record Found(Driver driver, URLClassLoader loader) implements AutoCloseable {
        @Override
        public void close() {
            if (loader != null) {
                try {
                    loader.close();
                } catch (IOException e) {
                    // jars left open until exit: harmless
                }
            }
        }
    }

    /**
     * The driver that accepts {@code url}.
     *
     * @param where the URL as messages show it, without credentials
     * @throws SourceException when no driver accepts it: it names the directory to put one in
     */
    static Found forUrl(String url, Path drivers, String where) throws SourceException {
        for (String shipped : SHIPPED) {
            Driver d = shipped(shipped);
            if (accepts(d, url)) {
                return new Found(d, null);
            }
        }
        List<URL> jars = jars(drivers);
        if (!jars.isEmpty()) {
            URLClassLoader loader =
                    new URLClassLoader("sql-drivers", jars.toArray(new URL[0]), JdbcDrivers.class.getClassLoader());
            Iterator<Driver> found = ServiceLoader.load(Driver.class, loader).iterator();
            while (true) {
                try {
                    if (!found.hasNext()) {
                        break;
                    }
                    Driver d = found.next();
                    if (accepts(d, url)) {
                        return new Found(d, loader);
                    }
                } catch (ServiceConfigurationError | LinkageError e) {
                    // a jar that is no driver or needs what is not there: try the next
                }
            }
            new Found(null, loader).close();
        }
        throw new SourceException("no JDBC driver for " + where + " ; put its jar in " + drivers);
    }

    private static boolean accepts(Driver d, String url) {
        try {
            return d.acceptsURL(url);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static List<URL> jars(Path dir) {
        List<URL> urls = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return urls;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList()) {
                urls.add(jar.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            return urls; // an unreadable directory: as if empty, and the message names it
        }
        return urls;
    }
}
