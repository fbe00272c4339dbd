package io.cdpaccess.source.roster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Which version of a file is at a path: its modification time, size and file key (the inode on
 * Unix). A new file renamed over the old ("write a temporary file, then mv", what an export
 * should do) has a new file key even when time and size happen to match.
 */
record FileVersion(FileTime modified, long size, Object fileKey) {

    /** @throws java.nio.file.NoSuchFileException when nothing is there */
    static FileVersion of(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return new FileVersion(a.lastModifiedTime(), a.size(), a.fileKey());
    }
}
