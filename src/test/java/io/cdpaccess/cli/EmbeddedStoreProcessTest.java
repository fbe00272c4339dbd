package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.cdpaccess.testing.ChildCommand;
import io.cdpaccess.testing.ChildService;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.RedcapClient;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded SQLite store shared by separate operating-system processes, as on a real server:
 * command-line processes racing to create it, {@code serve} on a directory whose store was
 * deleted, and another local user trying to read or change what {@code serve} keeps.
 */
class EmbeddedStoreProcessTest {

    static final String REDCAP = "https://redcap.example.edu/";
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void commandsStartedTogetherOnANewDataDirectoryWaitForTheMigrationLockMigrateOnceAndEachKeepsItsGrant()
            throws Exception {
        assumeThat(Path.of("/proc/self/fd")).as("Linux /proc").isDirectory();
        Path data = Files.createDirectory(dir.resolve("data"), PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        Path lockFile = Files.createFile(
                data.resolve("store.db-lock"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        List<String> users = List.of("ann", "ben", "cat");
        List<ChildCommand> started = new ArrayList<>();
        // This JVM holds the migration lock, as a slower process would, until every command waits for it:
        // then they all go at once, and only the lock keeps them from migrating the new file together.
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            for (String user : users) {
                started.add(ChildCommand.start(
                        dir,
                        Map.of(),
                        "grant",
                        "add",
                        "--data-dir",
                        data.toString(),
                        "--user",
                        user,
                        "--project-id",
                        "7",
                        "--reason",
                        "IRB-7"));
            }
            for (ChildCommand command : started) {
                awaitOpen(command, lockFile);
            }
            assertThat(data.resolve("store.db"))
                    .as("created while another process held the lock")
                    .doesNotExist();
            assertThat(held.isValid()).isTrue();
        }
        for (ChildCommand command : started) {
            Cli.Result r = command.await();
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }

        Cli.Result listed = new Cli(Clock.systemUTC()).run("grant", "list", "--data-dir", data.toString());
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.out().lines().skip(1).map(line -> line.split("\\s+")[2]))
                .containsExactlyInAnyOrderElementsOf(users);
        assertThat(migrationsApplied(data.resolve("store.db"))).containsExactlyElementsOf(migrationVersions());
    }

    @Test
    void serveOnADataDirectoryWhoseStoreWasDeletedRefusesInOneLineSayingToRestoreIt() throws Exception {
        Path data = dir.resolve("data");
        Cli.Result granted = new Cli(Clock.systemUTC())
                .run(
                        "grant",
                        "add",
                        "--data-dir",
                        data.toString(),
                        "--user",
                        "alice",
                        "--all-projects",
                        "--reason",
                        "IRB-1");
        assertThat(granted.exitCode()).as(granted.toString()).isZero();
        for (String f : List.of("store.db", "store.db-wal", "store.db-shm")) {
            Files.deleteIfExists(data.resolve(f));
        }

        Cli.Result served =
                ChildCommand.run(dir, Map.of(), "serve", "--data-dir", data.toString(), "--listen", "127.0.0.1:0");

        assertThat(served.exitCode()).as(served.toString()).isEqualTo(3);
        assertThat(served.err().lines())
                .as(served.toString())
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .startsWith("cdp-access: the store " + data.resolve("store.db"))
                        .contains(data.resolve("store.db-created").toString())
                        .contains("restore store.db from a backup"));
        assertThat(served.out()).isEmpty();
        assertThat(data.resolve("store.db")).doesNotExist();
    }

    @Test
    void anotherLocalUserCanNeitherReadNorChangeTheStoreAndServeListensOnlyOnItsOwnPort() throws Exception {
        assumeThat(ownUid()).as("setpriv needs root").isZero();
        assumeThat(Path.of("/usr/bin/setpriv")).as("util-linux setpriv").isExecutable();
        // A parent every user may pass through (the JUnit directory is owner-only), as /srv or /opt would be.
        Path parent = Files.createTempDirectory(Path.of("/tmp"), "cdp-access-other-user-");
        try {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path readable = Files.writeString(parent.resolve("readable.txt"), "anyone may read this\n");
            Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
            Path data = parent.resolve("data");
            try (ChildService child =
                    ChildService.serve(dir, Map.of(), "--data-dir", data.toString(), "--listen", "127.0.0.1:0")) {
                Matcher m = ServeProcessTest.URL_WITH_SECRET.matcher(child.awaitBanner());
                assertThat(m.find()).as(child.stdout()).isTrue();
                String url = m.group(1);
                Cli.Result granted = new Cli(Clock.systemUTC())
                        .run(
                                "grant",
                                "add",
                                "--data-dir",
                                data.toString(),
                                "--user",
                                "alice",
                                "--project-id",
                                "42",
                                "--reason",
                                "IRB-1");
                assertThat(granted.exitCode()).as(granted.toString()).isZero();
                awaitAnswer(url, "1");

                // The control: as nobody, what is open to everyone can be read, so what fails below
                // fails for the data directory's and the files' modes.
                assertThat(asNobody("cat " + readable)).isEqualTo(new Run(0, "anyone may read this\n"));
                assertThat(asNobody("ls " + parent).out()).contains("data");
                for (String attempt : List.of(
                        "cat " + data.resolve("store.db"),
                        "ls " + data,
                        "echo x >> " + data.resolve("store.db"),
                        "cat " + data.resolve("cdp-access.yaml"),
                        "cat " + data.resolve("store.db-wal"),
                        "touch " + data.resolve("intruder"))) {
                    Run run = asNobody(attempt);
                    assertThat(run.exitCode()).as(attempt + ": " + run).isNotZero();
                    assertThat(run.out()).as(attempt).contains("Permission denied");
                }
                assertThat(data.resolve("intruder")).doesNotExist();
                assertThat(redcap.userAccess(url, "alice", 42, REDCAP)).isEqualTo("1");

                assertThat(listeningPorts(child.pid())).containsExactly(child.port());
            }
        } finally {
            deleteRecursively(parent);
        }
    }

    /** Waits (at most 30 s) until {@code command} has {@code file} open: it is waiting for its lock. */
    private static void awaitOpen(ChildCommand command, Path file) throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!openFiles(command.pid()).contains(file)) {
            if (!command.isAlive()) {
                throw new AssertionError("ended without waiting for " + file + ": " + command.await());
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("process " + command.pid() + " never opened " + file);
            }
            Thread.sleep(20);
        }
    }

    /** The targets of a process's file descriptors: files as paths, sockets as {@code socket:[INODE]}. */
    private static Set<Path> openFiles(long pid) throws IOException {
        Set<Path> targets = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    targets.add(Files.readSymbolicLink(fd));
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading it
                }
            }
        } catch (java.nio.file.NoSuchFileException ended) {
            // the process is gone
        }
        return targets;
    }

    /** What a shell command printed (standard output and error together) and its exit code. */
    record Run(int exitCode, String out) {}

    /** {@code command} in a shell of uid and gid 65534 ("nobody"), with no supplementary groups. */
    private static Run asNobody(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", command)
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 30 s");
        }
        return new Run(p.exitValue(), out);
    }

    /**
     * The local ports of the TCP sockets in state LISTEN that process {@code pid} holds: its
     * socket inodes from {@code /proc/PID/fd}, matched in {@code /proc/net/tcp} and {@code tcp6}.
     */
    private static Set<Integer> listeningPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        Pattern socket = Pattern.compile("socket:\\[(\\d+)]");
        for (Path target : openFiles(pid)) {
            Matcher m = socket.matcher(target.toString());
            if (m.matches()) {
                inodes.add(m.group(1));
            }
        }
        assertThat(inodes).as("sockets of process %d", pid).isNotEmpty();
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals("0A") && inodes.contains(fields[9])) {
                    String local = fields[1];
                    ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    private void awaitAnswer(String url, String expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < until) {
            last = redcap.userAccess(url, "alice", 42, REDCAP);
            if (last.equals(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server kept answering " + last + ", expected " + expected);
    }

    /** The versions in the store's Flyway history, in the order applied. */
    private static List<String> migrationsApplied(Path store) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT version, success FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                assertThat(rs.getBoolean("success"))
                        .as("migration %s", rs.getString(1))
                        .isTrue();
                versions.add(rs.getString("version"));
            }
        }
        return versions;
    }

    /** The versions of the migrations the service ships, in order. */
    private static List<String> migrationVersions() throws IOException, URISyntaxException {
        Path migrations = Path.of(
                EmbeddedStoreProcessTest.class.getResource("/db/migration").toURI());
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        try (Stream<Path> files = Files.list(migrations)) {
            List<String> versions = files.map(
                            f -> version.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> m.group(1))
                    .sorted(Comparator.comparingInt(Integer::parseInt))
                    .toList();
            assertThat(versions).isNotEmpty();
            return versions;
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The uid of this JVM: only root may run a command as another user. */
    static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
