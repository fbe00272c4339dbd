package io.cdpaccess.source;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.ldap.LdapSource;
import io.cdpaccess.source.redcapdb.RedcapDbSource;
import io.cdpaccess.source.roster.RosterSource;
import io.cdpaccess.source.sql.SqlSource;
import io.cdpaccess.source.web.WebSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds of fact source the service knows, by {@code type:}, and what a configuration's
 * sources add to the facts rules can read.
 */
public final class SourceKinds {

    private final Map<String, SourceKind> kinds;

    public SourceKinds(Map<String, SourceKind> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    /** The kinds shipped with the service. */
    public static SourceKinds standard() {
        return new SourceKinds(Map.of(
                "ldap",
                new LdapSource(),
                "redcapdb",
                new RedcapDbSource(),
                "roster",
                new RosterSource(),
                "sql",
                new SqlSource(),
                "web",
                new WebSource()));
    }

    /** The kind of a configured source; the configuration loader only lets known types through. */
    public SourceKind kind(SourceConfig source) {
        SourceKind kind = kinds.get(source.type());
        if (kind == null) {
            throw new IllegalArgumentException(source.origin() + ": source '" + source.name() + "': no kind '"
                    + source.type() + "' in this build");
        }
        return kind;
    }

    /**
     * The variables the sources add, by name, after checking what the configuration alone cannot:
     * that a key taken {@code via} another source names one of its facts, a string or a list of
     * strings.
     *
     * @throws SourceConfigException with every problem, each naming the source's file and line
     */
    public Map<String, FactType> variables(List<SourceConfig> sources) throws SourceConfigException {
        Map<String, FactType> variables = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (SourceConfig source : sources) {
            try {
                variables.put(source.name(), kind(source).facts(source));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        for (SourceConfig source : sources) {
            source.identity().via().ifPresent(via -> {
                FactType fact = fact(variables, via);
                boolean usable = fact == FactType.Scalar.STRING
                        || (fact instanceof FactType.ListOf l && l.element() == FactType.Scalar.STRING);
                if (variables.containsKey(source.identity().viaSource().orElseThrow()) && !usable) {
                    problems.add(source.origin() + ": source '" + source.name() + "': identity.via " + via
                            + (fact == null
                                    ? " is not a fact of that source"
                                    : " is not a string or a list of strings"));
                }
            });
            source.irbNumber().ifPresent(irb -> {
                FactType fact = fact(variables, irb);
                if (variables.containsKey(source.irbNumberSource().orElseThrow()) && fact != FactType.Scalar.STRING) {
                    problems.add(source.origin() + ": source '" + source.name() + "': irb_number " + irb
                            + (fact == null ? " is not a fact of that source" : " is not a string"));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new SourceConfigException(problems);
        }
        return variables;
    }

    /** The type of {@code source.fact}, or null when there is no such fact. */
    private static FactType fact(Map<String, FactType> variables, String reference) {
        int dot = reference.indexOf('.');
        return variables.get(reference.substring(0, dot)) instanceof FactType.Struct s
                ? s.fields().get(reference.substring(dot + 1))
                : null;
    }
}
