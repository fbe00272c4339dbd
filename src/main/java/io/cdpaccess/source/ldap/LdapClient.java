package io.cdpaccess.source.ldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.ops.LogText;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lookup: the user's entry found by {@code user_filter} under {@code user_base}, then its
 * groups, all on one connection and within the source's timeout. See {@link LdapSource} for the
 * facts and what each mode of {@code groups} reads.
 */
final class LdapClient implements SourceClient {

    private static final Logger LOG = LoggerFactory.getLogger(LdapClient.class);

    /** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through any depth of nested groups. */
    static final String IN_CHAIN = "1.2.840.113556.1.4.1941";

    /** Groups' DNs are asked for in filters of at most this many values. */
    private static final int MAX_FILTER_VALUES = 100;

    private static final SourceAnswer NOT_FOUND = notFound();

    private final String name;
    private final LdapSettings settings;
    private final LdapConnections connections;
    private final LdapFailures failures;
    private final long timeoutNanos;
    private final String[] userAttributes;

    LdapClient(SourceConfig source, LdapConnections connections, LdapFailures failures) {
        this.name = source.name();
        this.settings = (LdapSettings) source.settings();
        this.connections = connections;
        this.failures = failures;
        this.timeoutNanos = source.timeout().toNanos();
        Set<String> wanted = new LinkedHashSet<>(settings.attributes().keySet());
        wanted.add("userAccountControl");
        wanted.add("accountExpires");
        settings.disabledAttribute().ifPresent(wanted::add);
        if (readsMemberOf()) {
            wanted.add("memberOf");
        }
        this.userAttributes = wanted.toArray(String[]::new);
    }

    @Override
    public SourceAnswer lookup(SourceKey key) throws SourceException {
        if (connections.isClosed()) {
            throw new SourceException("ldap source '" + name + "' is closed; a reloaded configuration has its own");
        }
        long deadline = System.nanoTime() + timeoutNanos;
        for (int attempt = 1; ; attempt++) {
            Lookup lookup = new Lookup(deadline);
            LdapConnections.Taken taken;
            try {
                taken = connections.take(deadline);
            } catch (LDAPException e) {
                throw failures.of("connecting", e);
            }
            try {
                SourceAnswer answer = lookup.answer(key, taken.connection());
                connections.giveBack(taken.connection(), Optional.empty());
                return answer;
            } catch (LDAPException e) {
                connections.giveBack(taken.connection(), Optional.of(e));
                // A kept connection the directory has closed meanwhile (a restart, an idle
                // timeout) fails at once: worth one more try on a new one, never on a timeout.
                if (attempt == 1 && taken.reused() && ResultCode.SERVER_DOWN.equals(e.getResultCode())) {
                    continue;
                }
                throw failures.of(lookup.doing, e);
            } catch (SourceException e) {
                connections.giveBack(taken.connection(), Optional.empty()); // the directory answered
                throw e;
            } catch (RuntimeException e) {
                taken.connection().close(); // in whatever state the SDK left it
                throw e;
            }
        }
    }

    @Override
    public void close() {
        connections.close();
    }

    /** Whether groups come from the entries' own {@code memberOf} values rather than a search of {@code group_base}. */
    private boolean readsMemberOf() {
        return settings.groups() != LdapSettings.GroupMode.AD
                && settings.groupBase().isEmpty();
    }

    /** The steps of one lookup on one connection; {@link #doing} names the current one for messages. */
    private final class Lookup {

        private final long deadline;
        private String doing = "connecting";
        private LDAPConnection connection;

        Lookup(long deadline) {
            this.deadline = deadline;
        }

        SourceAnswer answer(SourceKey key, LDAPConnection c) throws LDAPException, SourceException {
            this.connection = c;
            Optional<SearchResultEntry> found = user(key.user());
            if (found.isEmpty()) {
                return NOT_FOUND;
            }
            SearchResultEntry user = found.get();
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("found", true);
            facts.put("dn", user.getDN());
            List<String> groupDns = groups(user);
            facts.put(
                    "groups",
                    groupDns.stream().map(LdapClient::cn).distinct().sorted().toList());
            facts.put("group_dns", groupDns);
            facts.put("disabled", disabled(user));
            Optional<Instant> expires = accountExpires(user);
            expires.ifPresent(e -> facts.put("account_expires", e));
            facts.put("attributes", attributes(user));
            return new SourceAnswer(true, facts, expires.filter(e -> e.isAfter(key.now())));
        }

        private Optional<SearchResultEntry> user(String user) throws LDAPException, SourceException {
            doing = "searching " + settings.userBase() + " for the user";
            Filter filter = Filter.create(settings.userFilter().replace("{user}", Filter.encodeValue(user)));
            // Two at most: one is the user, a second means the filter cannot tell users apart.
            SearchResult result = search(settings.userBase(), SearchScope.SUB, filter, 2, userAttributes);
            List<SearchResultEntry> entries = result.getSearchEntries();
            if (entries.size() > 1) {
                throw new SourceException("ldap source '" + name + "': user_filter matched more than one entry under "
                        + settings.userBase() + " for one user; make it match exactly one (e.g. add objectClass)");
            }
            return entries.stream().findFirst();
        }

        /** The DNs of the user's groups as the mode says, sorted. */
        private List<String> groups(SearchResultEntry user) throws LDAPException, SourceException {
            List<String> dns;
            if (settings.groups() == LdapSettings.GroupMode.AD) {
                doing = "searching " + settings.groupBase().orElseThrow() + " for nested groups (in-chain rule)";
                dns = groupsSearched(Filter.createExtensibleMatchFilter("member", IN_CHAIN, false, user.getDN()));
            } else {
                List<String> direct = readsMemberOf() ? memberOf(user) : groupsContaining(List.of(user.getDN()));
                dns = settings.groups() == LdapSettings.GroupMode.NESTED ? closure(direct) : direct;
            }
            return dns.stream().distinct().sorted(String.CASE_INSENSITIVE_ORDER).toList();
        }

        /**
         * {@code direct} and every group above them, level by level. A group met again (a
         * cycle, or two paths to one group) is not followed twice; groups nested more than
         * {@code max_nesting} levels above the user's own are an error rather than a list that
         * silently lacks them, which a rule denying members of such a group would miss.
         */
        private List<String> closure(List<String> direct) throws LDAPException, SourceException {
            Map<String, String> seen = new LinkedHashMap<>();
            List<String> frontier = fresh(direct, seen);
            for (int level = 1; !frontier.isEmpty(); level++) {
                List<String> up = fresh(readsMemberOf() ? memberOfAll(frontier) : groupsContaining(frontier), seen);
                if (!up.isEmpty() && level > settings.maxNesting()) {
                    throw new SourceException("ldap source '" + name + "': groups are nested more than max_nesting ("
                            + settings.maxNesting() + ") levels above the user's own, e.g. " + up.get(0)
                            + "; raise max_nesting");
                }
                frontier = up;
            }
            return List.copyOf(seen.values());
        }

        /** Of {@code dns}, those not in {@code seen}, which are added to it. */
        private List<String> fresh(List<String> dns, Map<String, String> seen) {
            List<String> out = new ArrayList<>();
            for (String dn : dns) {
                if (seen.putIfAbsent(normalized(dn), dn) == null) {
                    out.add(dn);
                }
            }
            return out;
        }

        /** The groups under {@code group_base} that list any of {@code dns} as a member. */
        private List<String> groupsContaining(List<String> dns) throws LDAPException, SourceException {
            doing = "searching " + settings.groupBase().orElseThrow() + " for groups";
            List<String> out = new ArrayList<>();
            for (int i = 0; i < dns.size(); i += MAX_FILTER_VALUES) {
                List<Filter> any = new ArrayList<>();
                for (String dn : dns.subList(i, Math.min(dns.size(), i + MAX_FILTER_VALUES))) {
                    any.add(Filter.createEqualityFilter("member", dn));
                    any.add(Filter.createEqualityFilter("uniqueMember", dn));
                }
                out.addAll(groupsSearched(Filter.createORFilter(any)));
            }
            return out;
        }

        private List<String> groupsSearched(Filter filter) throws LDAPException, SourceException {
            String base = settings.groupBase().orElseThrow();
            SearchResult result = search(base, SearchScope.SUB, filter, 0, SearchRequest.NO_ATTRIBUTES);
            if (ResultCode.SIZE_LIMIT_EXCEEDED.equals(result.getResultCode())) {
                throw new SourceException("ldap source '" + name + "': the directory returned only part of the groups"
                        + " under " + base + " (size limit); raise its size limit for bind_dn");
            }
            return result.getSearchEntries().stream()
                    .map(SearchResultEntry::getDN)
                    .toList();
        }

        private List<String> memberOfAll(List<String> groups) throws LDAPException, SourceException {
            List<String> out = new ArrayList<>();
            for (String group : groups) {
                doing = "reading the groups of group " + group;
                try {
                    SearchResult r =
                            search(group, SearchScope.BASE, Filter.createPresenceFilter("objectClass"), 1, "memberOf");
                    r.getSearchEntries().forEach(e -> out.addAll(memberOf(e)));
                } catch (LDAPSearchException e) {
                    if (!ResultCode.NO_SUCH_OBJECT.equals(e.getResultCode())) {
                        throw e;
                    }
                    // memberOf naming a group that is gone: it has no groups of its own
                }
            }
            return out;
        }

        private SearchResult search(String base, SearchScope scope, Filter filter, int sizeLimit, String... attributes)
                throws LDAPException {
            long left = LdapConnections.remainingMillis(deadline);
            SearchRequest request = new SearchRequest(
                    base,
                    scope,
                    DereferencePolicy.NEVER,
                    sizeLimit,
                    (int) Math.max(1, (left + 999) / 1000), // the server's own limit, in whole seconds
                    false,
                    filter,
                    attributes);
            request.setResponseTimeoutMillis(left);
            try {
                return connection.search(request);
            } catch (LDAPSearchException e) {
                if (ResultCode.SIZE_LIMIT_EXCEEDED.equals(e.getResultCode())) {
                    return e.getSearchResult(); // the entries up to the limit; callers decide
                }
                throw e;
            }
        }

        /**
         * AD's {@code userAccountControl} bit 2 (ACCOUNTDISABLE), or the configured attribute
         * present with any value but {@code FALSE}; false when neither says so.
         */
        private boolean disabled(SearchResultEntry user) throws SourceException {
            boolean disabled = false;
            Attribute uac = user.getAttribute("userAccountControl");
            if (uac != null && uac.getValue() != null) {
                long flags = LdapValues.integer(uac.getValue())
                        .orElseThrow(() -> malformed(user, "userAccountControl", "a number"));
                disabled = (flags & 2) != 0;
            }
            Optional<String> attribute = settings.disabledAttribute();
            if (attribute.isPresent()) {
                Attribute a = user.getAttribute(attribute.get());
                if (a != null && a.hasValue()) {
                    boolean onlyFalse =
                            a.size() == 1 && LdapValues.bool(a.getValue()).equals(Optional.of(false));
                    disabled |= !onlyFalse;
                }
            }
            return disabled;
        }

        /**
         * AD's {@code accountExpires}; none when it never expires. A value that does not read as
         * a time fails the lookup: taken as "never" it would keep an expired account in.
         */
        private Optional<Instant> accountExpires(SearchResultEntry user) throws SourceException {
            Attribute a = user.getAttribute("accountExpires");
            if (a == null || a.getValue() == null) {
                return Optional.empty();
            }
            String value = a.getValue().strip();
            if (value.matches("[0-9]+")) {
                long ticks =
                        LdapValues.integer(value).orElseThrow(() -> malformed(user, "accountExpires", "a FILETIME"));
                return LdapValues.fileTime(ticks);
            }
            return Optional.of(LdapValues.time(value).orElseThrow(() -> malformed(user, "accountExpires", "a time")));
        }

        private Map<String, Object> attributes(SearchResultEntry user) {
            Map<String, Object> out = new LinkedHashMap<>();
            settings.attributes().forEach((attribute, type) -> {
                Attribute a = user.getAttribute(attribute);
                Optional<Object> value = LdapValues.typed(a, type);
                if (value.isPresent()) {
                    out.put(attribute, value.get());
                } else if (a != null && a.hasValue()) {
                    LOG.warn(
                            "ldap source '{}': attribute {} of {} does not read as {} ({}); ldap.attributes.{} is left unset",
                            name,
                            attribute,
                            LogText.quote(user.getDN()),
                            type,
                            LogText.quote(a.getValue()),
                            attribute);
                }
            });
            return out;
        }

        private SourceException malformed(SearchResultEntry user, String attribute, String expected) {
            return new SourceException("ldap source '" + name + "': " + attribute + " of "
                    + io.cdpaccess.protocol.UnsafeText.escape(user.getDN()) + " is not " + expected
                    + "; check the entry in the directory");
        }
    }

    /** What a lookup of a user the directory does not have answers. */
    static SourceAnswer notFound() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("found", false);
        facts.put("groups", List.of());
        facts.put("group_dns", List.of());
        return new SourceAnswer(false, facts, Optional.empty());
    }

    private static List<String> memberOf(SearchResultEntry entry) {
        Attribute a = entry.getAttribute("memberOf");
        return a == null ? List.of() : List.of(a.getValues());
    }

    /** A group's name: the value of its DN's {@code cn} (else first) naming attribute. */
    static String cn(String dn) {
        try {
            RDN rdn = new DN(dn).getRDN();
            if (rdn == null) {
                return dn;
            }
            String[] names = rdn.getAttributeNames();
            String[] values = rdn.getAttributeValues();
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase("cn")) {
                    return values[i];
                }
            }
            return values[0];
        } catch (LDAPException e) {
            return dn;
        }
    }

    /** The form in which two spellings of one DN compare equal. */
    static String normalized(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase(Locale.ROOT);
        }
    }
}
