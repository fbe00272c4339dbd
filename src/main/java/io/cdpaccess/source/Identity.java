package io.cdpaccess.source;

import io.cdpaccess.config.IdentityMapping;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A source's {@link IdentityMapping}, compiled: turns the normalized REDCap username into its key. */
final class Identity {

    private final IdentityMapping mapping;
    private final Optional<Pattern> pattern;

    Identity(IdentityMapping mapping) {
        this.mapping = mapping;
        this.pattern = mapping.replace().map(IdentityMapping.Replace::compiled);
    }

    Optional<String> viaSource() {
        return mapping.viaSource();
    }

    Optional<String> viaFact() {
        return mapping.viaFact();
    }

    /**
     * The key for {@code user}; with {@code via}, from that fact's value ({@code viaValue}: a
     * string, or a list whose first string is taken). Empty when {@code via} gave nothing.
     */
    Optional<String> key(String user, Object viaValue) {
        String key = user;
        if (mapping.via().isPresent()) {
            if (viaValue instanceof String s && !s.isBlank()) {
                key = s;
            } else if (viaValue instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String s) {
                key = s;
            } else {
                return Optional.empty();
            }
        }
        if (mapping.stripDomain()) {
            int at = key.lastIndexOf('@');
            key = at >= 0 ? key.substring(0, at) : key;
        }
        if (pattern.isPresent()) {
            Matcher m = pattern.get().matcher(key);
            if (m.matches()) {
                key = m.replaceAll(mapping.replace().orElseThrow().with());
            }
        }
        if (mapping.addDomain().isPresent() && key.indexOf('@') < 0) {
            key = key + "@" + mapping.addDomain().get();
        }
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }
}
