package io.cdpaccess.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code sql} source's query as written, with its named parameters ({@code :user}, {@code
 * :project_id}, {@code :instance}, {@code :irb_number}) turned into JDBC's {@code ?} positions,
 * which the client binds with a {@code PreparedStatement}: a username never becomes SQL text.
 *
 * <p>The scan knows enough SQL not to take a colon for a parameter where it is not one: inside
 * string literals and quoted identifiers, in comments, and in PostgreSQL's {@code ::} casts and
 * dollar-quoted strings. A {@code ?} outside them is refused, as JDBC would take it for a
 * parameter of its own (PostgreSQL's {@code ?} operators are written {@code ??}, as its driver
 * wants).
 *
 * @param written the query as configured
 * @param jdbc the text handed to {@code prepareStatement}
 * @param parameters what each {@code ?} of {@code jdbc} is bound to, in order
 */
public record SqlQuery(String written, String jdbc, List<Parameter> parameters) {

    public SqlQuery {
        parameters = List.copyOf(parameters);
    }

    /** What a query may ask with. */
    public enum Parameter {
        /** The key: the REDCap username after the source's identity mapping. */
        USER,
        PROJECT_ID,
        /** The name of the REDCap installation that asks ({@code instances:}). */
        INSTANCE,
        /** The project's IRB number from the source named by {@code irb_number:}. */
        IRB_NUMBER;

        /** As written in a query, without its colon. */
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How the database reads quotes and comments. */
    public enum Dialect {
        /** Standard quoting plus {@code E'...'} strings, dollar quotes and nested block comments. */
        POSTGRESQL,
        /** Backslash escapes in strings, {@code `identifiers`}, {@code #} comments. */
        MYSQL,
        /** Standard SQL quoting. */
        OTHER;

        /** The dialect of a JDBC URL. */
        public static Dialect of(String url) {
            if (url.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
                return MYSQL;
            }
            return OTHER;
        }
    }

    /** Whether the query asks with {@code p}. */
    public boolean uses(Parameter p) {
        return parameters.contains(p);
    }

    /**
     * Reads a query.
     *
     * @throws IllegalArgumentException naming the unknown parameter, the stray {@code ?} or the
     *     unclosed quote and its line within the query
     */
    public static SqlQuery parse(String text, Dialect dialect) {
        String q = text.stripTrailing();
        if (q.endsWith(";")) {
            q = q.substring(0, q.length() - 1).stripTrailing();
        }
        if (q.isBlank()) {
            throw new IllegalArgumentException("is empty; write the SELECT that finds the key's rows, with :user");
        }
        return new Scan(q, dialect).run(text);
    }

    private static final class Scan {
        private final String q;
        private final Dialect dialect;
        private final StringBuilder out = new StringBuilder();
        private final List<Parameter> parameters = new ArrayList<>();
        private int i;

        Scan(String q, Dialect dialect) {
            this.q = q;
            this.dialect = dialect;
        }

        SqlQuery run(String written) {
            boolean mysql = dialect == Dialect.MYSQL;
            boolean pg = dialect == Dialect.POSTGRESQL;
            while (i < q.length()) {
                char c = q.charAt(i);
                char next = i + 1 < q.length() ? q.charAt(i + 1) : '\0';
                int start = i;
                if (c == '\'') {
                    i = quoted(i, '\'', mysql);
                } else if (c == '"') {
                    i = quoted(i, '"', mysql);
                } else if (c == '`' && mysql) {
                    i = quoted(i, '`', false);
                } else if ((c == 'E' || c == 'e') && next == '\'' && pg && !identifierBefore(i)) {
                    i = quoted(i + 1, '\'', true);
                } else if ((c == '-' && next == '-') || (c == '#' && mysql)) {
                    int eol = q.indexOf('\n', i);
                    i = eol < 0 ? q.length() : eol;
                } else if (c == '/' && next == '*') {
                    i = blockComment(i, pg);
                } else if (c == '$' && pg && !identifierBefore(i) && dollarTag(i) != null) {
                    i = dollarQuoted(i, dollarTag(i));
                } else if (c == ':' && next == ':') {
                    i += 2;
                } else if (c == ':' && (Character.isLetter(next) || next == '_')) {
                    parameter();
                    continue;
                } else if (c == '?' && next == '?' && pg) {
                    i += 2;
                } else if (c == '?') {
                    throw new IllegalArgumentException("a ? at line " + line(i)
                            + " of the query would be taken for a JDBC parameter; write parameters as :user,"
                            + " :project_id, :instance or :irb_number"
                            + (pg ? " (and PostgreSQL's ? operator as ??)" : ""));
                } else {
                    i++;
                }
                out.append(q, start, i);
            }
            if (!parameters.contains(Parameter.USER)) {
                throw new IllegalArgumentException(
                        "never reads :user, so every user would get the same answer; find the key's rows with"
                                + " WHERE ... = :user");
            }
            return new SqlQuery(written, out.toString(), parameters);
        }

        private void parameter() {
            int end = i + 1;
            while (end < q.length() && (Character.isLetterOrDigit(q.charAt(end)) || q.charAt(end) == '_')) {
                end++;
            }
            String name = q.substring(i + 1, end);
            Parameter p = null;
            for (Parameter candidate : Parameter.values()) {
                if (candidate.written().equals(name)) {
                    p = candidate;
                }
            }
            if (p == null) {
                throw new IllegalArgumentException("unknown parameter :" + name + " at line " + line(i)
                        + " of the query; expected :user, :project_id, :instance or :irb_number");
            }
            parameters.add(p);
            out.append('?');
            i = end;
        }

        /** The index after the quote that closes the one at {@code open}; doubled quotes stay inside. */
        private int quoted(int open, char quote, boolean backslashEscapes) {
            int j = open + 1;
            while (j < q.length()) {
                char c = q.charAt(j);
                if (backslashEscapes && c == '\\') {
                    j += 2;
                } else if (c == quote && j + 1 < q.length() && q.charAt(j + 1) == quote) {
                    j += 2;
                } else if (c == quote) {
                    return j + 1;
                } else {
                    j++;
                }
            }
            throw new IllegalArgumentException(
                    "the " + quote + " opened at line " + line(open) + " of the query is never closed");
        }

        private int blockComment(int open, boolean nested) {
            int depth = 0;
            int j = open;
            while (j < q.length()) {
                if (q.startsWith("/*", j) && (nested || depth == 0)) {
                    depth++;
                    j += 2;
                } else if (q.startsWith("*/", j)) {
                    depth--;
                    j += 2;
                    if (depth == 0) {
                        return j;
                    }
                } else {
                    j++;
                }
            }
            throw new IllegalArgumentException(
                    "the comment opened at line " + line(open) + " of the query is never closed");
        }

        /** {@code $$} or {@code $tag$} starting at {@code at}, or null. */
        private String dollarTag(int at) {
            int j = at + 1;
            while (j < q.length() && (Character.isLetterOrDigit(q.charAt(j)) || q.charAt(j) == '_')) {
                j++;
            }
            if (j < q.length() && q.charAt(j) == '$' && (j == at + 1 || !Character.isDigit(q.charAt(at + 1)))) {
                return q.substring(at, j + 1);
            }
            return null;
        }

        private int dollarQuoted(int open, String tag) {
            int close = q.indexOf(tag, open + tag.length());
            if (close < 0) {
                throw new IllegalArgumentException(
                        "the " + tag + " opened at line " + line(open) + " of the query is never closed");
            }
            return close + tag.length();
        }

        private boolean identifierBefore(int at) {
            if (at == 0) {
                return false;
            }
            char p = q.charAt(at - 1);
            return Character.isLetterOrDigit(p) || p == '_' || p == '$';
        }

        private int line(int at) {
            int line = 1;
            for (int j = 0; j < at; j++) {
                if (q.charAt(j) == '\n') {
                    line++;
                }
            }
            return line;
        }
    }
}
