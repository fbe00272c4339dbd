package io.cdpaccess.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a URL does to the secret in it, judged from the pasted text alone, before any call: a
 * {@code +} in a query arrives as a space, a {@code %} starts an escape, a {@code #} ends what is
 * sent, an {@code &} ends the value; in a {@code user:pass@} password {@code @}, {@code /},
 * {@code ?}, {@code #} and {@code %} cut or change it. Each of these makes a correct secret
 * arrive wrong, so that every user is denied; a secret of URL-safe characters avoids them all.
 */
final class UrlSecretCheck {

    static final String MAKE_A_SAFE_ONE =
            "make a URL-safe secret with: openssl rand -base64 32 | tr '+/' '-_' | tr -d '=' (or: openssl rand -hex 32)";

    private UrlSecretCheck() {}

    static List<Finding> check(String raw) {
        List<Finding> findings = new ArrayList<>();
        int fragment = raw.indexOf('#');
        String sent = fragment < 0 ? raw : raw.substring(0, fragment);
        if (fragment >= 0) {
            findings.add(Finding.problem("the URL contains '#': cURL sends nothing after it, so "
                    + (fragment < raw.indexOf('?') || raw.indexOf('?') < 0 ? "the rest of the URL" : "the secret")
                    + " arrives cut short; write '#' as %23, or " + MAKE_A_SAFE_ONE));
        }
        if (sent.chars().anyMatch(c -> c == ' ')) {
            findings.add(Finding.problem(
                    "the URL contains a space: cURL refuses the URL or the secret arrives changed; write it as %20, or "
                            + MAKE_A_SAFE_ONE));
        }
        if (sent.chars().anyMatch(c -> c > 0x7e || c < 0x20)) {
            findings.add(Finding.problem(
                    "the URL contains non-ASCII or control characters: how they arrive depends on encodings on both sides; "
                            + MAKE_A_SAFE_ONE));
        }
        checkPassword(sent, findings);
        checkQuerySecret(sent, findings);
        return List.copyOf(findings);
    }

    private static void checkPassword(String sent, List<Finding> findings) {
        int schemeEnd = sent.indexOf("://");
        if (schemeEnd < 0) {
            return;
        }
        String rest = sent.substring(schemeEnd + 3);
        // A password holding '/', '?' or '#' ends the authority early, so look past it: a user:pass@ is a
        // first '@' with a ':' (and no '=' of a query) before it; the password ends at the last '@' before
        // the path that follows.
        int firstAt = rest.indexOf('@');
        if (firstAt < 0
                || rest.substring(0, firstAt).indexOf(':') < 0
                || rest.substring(0, firstAt).indexOf('=') >= 0) {
            return;
        }
        int pathAfter = firstAt + firstOf(rest.substring(firstAt), "/?");
        int lastAt = rest.lastIndexOf('@', pathAfter);
        String userInfo = rest.substring(0, lastAt);
        int colon = userInfo.indexOf(':');
        String password = colon < 0 ? "" : userInfo.substring(colon + 1);
        int authorityEnd = firstOf(rest, "/?#");
        if (colon < authorityEnd && authorityEnd < lastAt) {
            findings.add(Finding.problem("the password in user:pass@ contains '/', '?' or '#', which ends the host part"
                    + " of a URL: cURL sends neither user nor password and asks the wrong host; percent-encode it"
                    + " (%2F, %3F, %23), or " + MAKE_A_SAFE_ONE));
        }
        if (userInfo.indexOf('@') >= 0) {
            findings.add(Finding.problem("the password in user:pass@ contains '@': cURL ends the password at the first"
                    + " '@' and takes the rest for the host; write it as %40, or " + MAKE_A_SAFE_ONE));
        }
        if (password.indexOf(':') >= 0) {
            findings.add(Finding.info("the password in user:pass@ contains ':': cURL sends it whole (only the first ':'"
                    + " ends the user name), but other tools split it; " + MAKE_A_SAFE_ONE));
        }
        if (hasBadPercent(password)) {
            findings.add(Finding.problem("the password in user:pass@ contains '%' not followed by two hex digits:"
                    + " it does not arrive as typed; write '%' as %25, or " + MAKE_A_SAFE_ONE));
        } else if (password.indexOf('%') >= 0) {
            findings.add(Finding.info("the password in user:pass@ contains %XX escapes: cURL decodes them before"
                    + " sending, so the service must be configured with the decoded secret"));
        }
    }

    private static void checkQuerySecret(String sent, List<Finding> findings) {
        int question = sent.indexOf('?');
        if (question < 0) {
            return;
        }
        String[] parts = sent.substring(question + 1).split("&", -1);
        int secrets = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            if (!name.toLowerCase(Locale.ROOT).equals("secret") || equals < 0) {
                continue;
            }
            secrets++;
            String value = part.substring(equals + 1);
            if (value.indexOf('+') >= 0) {
                findings.add(Finding.problem("the secret contains '+', which arrives as a space (in a URL's query '+'"
                        + " means space): write it as %2B, or " + MAKE_A_SAFE_ONE));
            }
            if (hasBadPercent(value)) {
                findings.add(Finding.problem("the secret contains '%' not followed by two hex digits: it does not"
                        + " arrive as typed; write '%' as %25, or " + MAKE_A_SAFE_ONE));
            }
            if (i + 1 < parts.length && parts[i + 1].indexOf('=') < 0) {
                findings.add(Finding.problem("the secret seems to contain '&': everything after it arrives as another"
                        + " parameter, not as part of the secret; write '&' as %26, or " + MAKE_A_SAFE_ONE));
            }
        }
        if (secrets > 1) {
            findings.add(Finding.problem("the URL has more than one secret= parameter: a service cannot tell which"
                    + " is meant (cdp-access takes neither); keep one"));
        }
    }

    private static boolean hasBadPercent(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%'
                    && (i + 2 >= s.length()
                            || !ServiceUrl.isHex(s.charAt(i + 1))
                            || !ServiceUrl.isHex(s.charAt(i + 2)))) {
                return true;
            }
        }
        return false;
    }

    private static int firstOf(String s, String characters) {
        int first = s.length();
        for (int i = 0; i < characters.length(); i++) {
            int at = s.indexOf(characters.charAt(i));
            if (at >= 0 && at < first) {
                first = at;
            }
        }
        return first;
    }
}
