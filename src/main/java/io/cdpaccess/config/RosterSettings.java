package io.cdpaccess.config;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * A CSV or TSV file as a fact source (a nightly export of active EHR users, of training
 * completions, of leavers): one row per user, found by the value under the {@code key} header.
 *
 * @param file the file, resolved against the configuration's directory
 * @param key the header whose cells are the usernames rows are found by
 * @param columns the facts rules read, each from a header, with its type
 * @param delimiter the character between fields: {@code ,} by default, a tab for TSV
 * @param encoding how the file's bytes are text (UTF-8, ISO-8859-1 or windows-1252); a BOM is dropped
 * @param listSeparator what separates the items of a {@code list} cell
 * @param zone the zone a date or a time without offset is read in
 * @param maxRows the most rows a file may have; a longer one is refused (memory is bounded)
 * @param reloadEvery how often the file is checked for a new version
 */
public record RosterSettings(
        Path file,
        String key,
        List<FactField> columns,
        char delimiter,
        Charset encoding,
        String listSeparator,
        ZoneId zone,
        int maxRows,
        Duration reloadEvery)
        implements SourceSettings {

    public RosterSettings {
        columns = List.copyOf(columns);
    }

    @Override
    public String type() {
        return "roster";
    }
}
