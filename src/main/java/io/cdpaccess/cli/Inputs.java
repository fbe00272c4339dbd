package io.cdpaccess.cli;

import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.protocol.Texts;
import io.cdpaccess.protocol.Username;

/** Validation of free text typed on the command line, with one-line messages naming the option. */
final class Inputs {

    private Inputs() {}

    /** A username, normalized exactly as the endpoint normalizes what REDCap sends. */
    static String username(String raw) {
        String user = Username.normalize(raw == null ? "" : raw);
        if (user.isEmpty()) {
            throw new UserError("--user is empty");
        }
        if (user.length() > RequestParser.MAX_FIELD_LENGTH || Texts.hasControlCharacter(user)) {
            throw new UserError("--user must be at most 255 characters without control characters");
        }
        return user;
    }

    /** Required free text (reason, note, actor), stripped. */
    static String text(String raw, String option, int max) {
        String s = raw == null ? "" : raw.strip();
        if (s.isEmpty()) {
            throw new UserError(option + " is required and may not be blank");
        }
        if (s.length() > max || Texts.hasControlCharacter(s)) {
            throw new UserError(option + " must be at most " + max + " characters without control characters");
        }
        return s;
    }

    static long projectId(long id) {
        if (id <= 0) {
            throw new UserError("--project-id must be a positive integer");
        }
        return id;
    }

    /** The person making a change: --by, else the operating-system account. */
    static String actor(String by) {
        return text(by != null ? by : System.getProperty("user.name", "unknown"), "--by", 255);
    }
}
