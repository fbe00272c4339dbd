package io.cdpaccess.db;

import io.cdpaccess.config.StoreConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every password a store configuration holds, to be replaced by {@code ***} in whatever is shown
 * of a failure: {@code store.password}, the {@code password=} parameters of {@code store.url} and
 * the password of its {@code user:password@host}. JDBC drivers quote what they could not use
 * (pgjdbc names {@code user:password@host} as an unknown host, MariaDB's as a bad port), so a
 * message built from theirs must pass through here, and so must the causes kept with it.
 */
final class PasswordMask {

    private static final String MASK = "***";
    private static final Pattern USER_INFO = Pattern.compile("//([^/?;#]*)@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)[?&;]password=([^&;#]*)");

    /** Longest first, so that a password containing another is masked whole. */
    private final List<String> secrets;

    private PasswordMask(List<String> secrets) {
        this.secrets = secrets;
    }

    static PasswordMask of(StoreConfig config) {
        Set<String> found = new LinkedHashSet<>();
        if (!config.password().isEmpty()) {
            found.add(config.password().reveal());
        }
        Matcher userInfo = USER_INFO.matcher(config.url());
        if (userInfo.find()) {
            String info = userInfo.group(1);
            int colon = info.indexOf(':');
            // MariaDB reads "user:password@" as host and port: what follows the colon is a password either way
            found.add(colon >= 0 ? info.substring(colon + 1) : info);
        }
        Matcher parameter = PASSWORD_PARAMETER.matcher(config.url());
        while (parameter.find()) {
            found.add(parameter.group(1));
        }
        Set<String> all = new LinkedHashSet<>();
        for (String secret : found) {
            if (!secret.isEmpty()) {
                all.add(secret);
                all.add(decoded(secret)); // drivers quote what they decoded, too
            }
        }
        return new PasswordMask(all.stream()
                .filter(s -> !s.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList());
    }

    /** {@code text} with every password replaced by {@code ***}. */
    String apply(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    /**
     * The failure as it may be shown and logged: its message masked, its causes replaced by
     * masked copies (same class names, messages masked, same stack traces); unchanged when the
     * configuration holds no password or the failure names none.
     */
    RuntimeException apply(RuntimeException e) {
        if (secrets.isEmpty() || !names(e)) {
            return e;
        }
        if (e instanceof StoreException) {
            return new StoreException(apply(e.getMessage()), copy(e.getCause()));
        }
        return new StoreException("cannot open database: " + apply(Database.rootMessage(e)), copy(e));
    }

    private boolean names(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !apply(message).equals(message)) {
                return true;
            }
        }
        return false;
    }

    private Throwable copy(Throwable t) {
        if (t == null) {
            return null;
        }
        Masked masked = new Masked(t.getClass().getName() + ": " + apply(t.getMessage()), copy(t.getCause()));
        masked.setStackTrace(t.getStackTrace());
        return masked;
    }

    private static String decoded(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return text;
        }
    }

    /** A cause as it may be shown: its class named in the message. */
    private static final class Masked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Masked(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
