package io.cdpaccess.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files only the service's own OS user may read or change: the data directory, the database, a
 * configuration holding a secret, a TLS private key. What the service creates is created
 * owner-only ({@code 0700} directories, {@code 0600} files) whatever the umask; what already
 * exists is never re-moded behind the administrator's back, but checked ({@link #problem}), so
 * that {@code serve} refuses to run on files another local user could read or rewrite.
 *
 * <p>On a file system without POSIX permissions (Windows) files inherit the user's profile ACLs,
 * the best available there, and nothing is checked.
 */
public final class OwnerOnly {

    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnly() {}

    /** Creates {@code dir} and any missing parents, each one created {@code 0700}; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        return POSIX ? Files.createDirectories(dir, attribute("rwx------")) : Files.createDirectories(dir);
    }

    /** Creates the new, empty file {@code file} {@code 0600}; fails if it exists. */
    public static Path createFile(Path file) throws IOException {
        return POSIX ? Files.createFile(file, attribute("rw-------")) : Files.createFile(file);
    }

    /**
     * Why {@code path}, if it exists, is not owner-only: open to group or others, or owned by
     * another user than the one running the service; each as one line that ends with the command
     * that fixes it.
     *
     * @param what what the path is, as the message names it ("data directory", "database", ...)
     */
    public static Optional<String> problem(Path path, String what) {
        if (!POSIX || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int self = currentUid();
            if (owner != self) {
                return Optional.of(
                        what + " " + path + " belongs to uid " + owner + ", not to the user running cdp-access"
                                + " (uid " + self + "); run: chown " + self + " " + path);
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                String mode = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "700" : "600";
                return Optional.of(what + " " + path + " is open to group or others ("
                        + PosixFilePermissions.toString(permissions) + "); run: chmod " + mode + " " + path);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot check the permissions of " + what + " " + path + ": " + e.getMessage());
        }
    }

    /** The effective uid of this process: the owner of what it creates. */
    static int currentUid() throws IOException {
        // /proc/self belongs to the process's effective uid on Linux; elsewhere ask a file made now.
        Path proc = Path.of("/proc/self");
        if (Files.exists(proc)) {
            return (Integer) Files.getAttribute(proc, "unix:uid");
        }
        Path probe = Files.createTempFile("cdp-access-uid", ".probe");
        try {
            return (Integer) Files.getAttribute(probe, "unix:uid");
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(String permissions) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
