package io.cdpaccess.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files written as an administrator would for {@code serve}: readable by their owner only. */
public final class PrivateFiles {

    private PrivateFiles() {}

    /** Writes {@code text} to {@code file}, mode {@code 0600}. */
    public static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
