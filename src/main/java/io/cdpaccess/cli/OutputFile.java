package io.cdpaccess.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An export's {@code --output FILE}: written beside its target first and moved into place only
 * when complete, so that a failed or interrupted export never leaves a partial file under the
 * requested name.
 */
final class OutputFile {

    /** What writes the file's content, returning how many records it wrote. */
    @FunctionalInterface
    interface Content {
        long write(Writer w) throws Exception;
    }

    private OutputFile() {}

    /**
     * Writes {@code output} (UTF-8) with {@code content}.
     *
     * @return the count {@code content} returned
     * @throws UserError when the file or its directory cannot be written
     */
    static long write(Path output, Content content) throws Exception {
        Path absolute = output.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new UserError("--output " + output + " is a directory; name a file in it");
        }
        Path temp = createTemp(output, absolute);
        try {
            long n;
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                n = content.write(w);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UserError("--output " + output + ": cannot write it (" + e + ")");
            }
            return n;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Where that fails, the target could not be written either. */
    private static Path createTemp(Path output, Path target) {
        try {
            return Files.createTempFile(target.getParent(), ".cdp-access-export", ".tmp");
        } catch (IOException | UnsupportedOperationException e) {
            throw new UserError("--output " + output + ": cannot write in " + target.getParent() + " (" + e
                    + "); name a file in a directory you may write");
        }
    }
}
