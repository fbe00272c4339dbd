package io.cdpaccess.source.redcapdb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the lines of {@code SHOW GRANTS} for privileges beyond reading. Only the privilege list
 * and its target are looked at: the rest of a line may carry the account's password hash
 * ({@code IDENTIFIED BY PASSWORD '*...'}), which must never reach a log.
 *
 * <p>Privileges are checked against the short list of those that cannot change data, rather
 * than against a list of those that can: a privilege added by a later server version then
 * warns instead of passing unnoticed. Only grants that reach REDCap's database count (on
 * {@code *.*}, on it by name or by a pattern matching its name): a fresh MariaDB lets every
 * account write to its {@code test} database, which is nobody's concern here.
 */
public final class WriteGrants {

    private static final Pattern GRANT =
            Pattern.compile("^GRANT\\s+(.+?)\\s+ON\\s+(.+?)\\s+TO\\s", Pattern.CASE_INSENSITIVE);

    /** Privileges that read or only show; anything else can change data or lock it away from REDCap. */
    private static final Set<String> READ_ONLY = Set.of(
            "USAGE",
            "SELECT",
            "SHOW VIEW",
            "SHOW DATABASES",
            "PROCESS",
            "REPLICATION CLIENT",
            "BINLOG MONITOR",
            "SLAVE MONITOR",
            "REPLICA MONITOR");

    private static final int MAX_SHOWN = 3;

    private WriteGrants() {}

    /**
     * The grants that allow more than reading, as {@code "INSERT, UPDATE on `redcap`.*"}, at
     * most a few; empty for a read-only account.
     */
    public static List<String> beyondReading(List<String> showGrantsLines, Optional<String> database) {
        Set<String> found = new LinkedHashSet<>();
        for (String line : showGrantsLines) {
            Matcher m = GRANT.matcher(line.strip());
            if (!m.find()) {
                continue; // a role granted to the user, or a line of a form not known here
            }
            if (database.isPresent() && !reaches(m.group(2), database.get())) {
                continue;
            }
            List<String> writing = new ArrayList<>();
            for (String privilege : privileges(m.group(1))) {
                if (!READ_ONLY.contains(privilege)) {
                    writing.add(privilege);
                }
            }
            if (!writing.isEmpty()) {
                found.add(String.join(", ", writing) + " on " + m.group(2));
            }
        }
        return List.copyOf(found);
    }

    /** The one-line warning for {@link io.cdpaccess.source.SourceClient#writeAccessWarning}, if any. */
    static Optional<String> warning(
            String source, String user, List<String> showGrantsLines, Optional<String> database) {
        List<String> writing = beyondReading(showGrantsLines, database);
        if (writing.isEmpty()) {
            return Optional.empty();
        }
        String shown = String.join("; ", writing.subList(0, Math.min(MAX_SHOWN, writing.size())))
                + (writing.size() > MAX_SHOWN ? "; ..." : "");
        return Optional.of("source '" + source + "': database account '" + user
                + "' can change REDCap's database (" + shown + "); the source only reads: give it an account"
                + " with SELECT on REDCap's tables only");
    }

    /**
     * Whether a grant's target ({@code *.*}, {@code `redcap`.*}, {@code `redcap`.`t`}, {@code
     * `red\_%`.*}) covers {@code database}: in a grant's database name {@code %} and {@code _}
     * are wildcards unless escaped with a backslash.
     */
    static boolean reaches(String target, String database) {
        String t = target.strip();
        String name;
        if (t.startsWith("`")) {
            StringBuilder b = new StringBuilder();
            int i = 1;
            while (i < t.length()) {
                char c = t.charAt(i);
                if (c == '`' && i + 1 < t.length() && t.charAt(i + 1) == '`') {
                    b.append('`');
                    i += 2;
                } else if (c == '`') {
                    break;
                } else {
                    b.append(c);
                    i++;
                }
            }
            name = b.toString();
        } else {
            int dot = t.indexOf('.');
            name = dot < 0 ? t : t.substring(0, dot);
        }
        if (name.equals("*")) {
            return true;
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length()) {
                regex.append(Pattern.quote(String.valueOf(name.charAt(++i))));
            } else if (c == '%') {
                regex.append(".*");
            } else if (c == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        // Database names compare as the server's file system does; most REDCap servers are Linux
        // with lower_case_table_names=0, but a warning too many is cheaper than one too few.
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL)
                .matcher(database)
                .matches();
    }

    /** {@code SELECT (a, b), INSERT} → SELECT, INSERT: column lists dropped, commas inside them kept apart. */
    private static List<String> privileges(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0) {
                add(out, current);
                current.setLength(0);
            } else if (depth == 0) {
                current.append(c);
            }
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> out, StringBuilder privilege) {
        String p = privilege.toString().strip().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
        if (!p.isEmpty()) {
            out.add(p);
        }
    }
}
