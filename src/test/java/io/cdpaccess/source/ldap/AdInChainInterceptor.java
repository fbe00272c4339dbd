package io.cdpaccess.source.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Plays Active Directory's {@code LDAP_MATCHING_RULE_IN_CHAIN} (1.2.840.113556.1.4.1941), which
 * UnboundID's in-memory server does not implement: a search whose filter is {@code
 * (member:1.2.840.113556.1.4.1941:=<dn>)} is answered as AD answers it — every group that has
 * {@code <dn>} as a member directly or through any depth of nested groups, cycles included — by
 * working the transitive closure out over the server's own data and handing the server the
 * equivalent {@code (|(member=<dn>)(member=<group>)...)} instead. Only a whole filter of that form
 * is rewritten, which is what the {@code ad} mode sends; {@link #inChainSearches} counts them, so
 * a test can tell the rule was asked for.
 */
final class AdInChainInterceptor extends InMemoryOperationInterceptor {

    private final String namingContext;
    private final AtomicReference<InMemoryDirectoryServer> server = new AtomicReference<>();
    final AtomicInteger inChainSearches = new AtomicInteger();

    AdInChainInterceptor(String namingContext) {
        this.namingContext = namingContext;
    }

    /** The server whose data the closure is worked out over (its own searches bypass interceptors). */
    void attach(InMemoryDirectoryServer directory) {
        server.set(directory);
    }

    @Override
    public void processSearchRequest(InMemoryInterceptedSearchRequest request) throws LDAPException {
        Filter filter = request.getRequest().getFilter();
        if (filter.getFilterType() != Filter.FILTER_TYPE_EXTENSIBLE_MATCH
                || !LdapClient.IN_CHAIN.equals(filter.getMatchingRuleID())
                || !"member".equalsIgnoreCase(filter.getAttributeName())) {
            return;
        }
        inChainSearches.incrementAndGet();
        String member = filter.getAssertionValue();
        Set<String> closure = new LinkedHashSet<>();
        List<String> frontier = List.of(member);
        while (!frontier.isEmpty()) {
            List<Filter> any = new ArrayList<>();
            frontier.forEach(dn -> any.add(Filter.createEqualityFilter("member", dn)));
            List<String> next = new ArrayList<>();
            for (SearchResultEntry group : server.get()
                    .search(namingContext, SearchScope.SUB, Filter.createORFilter(any), "1.1")
                    .getSearchEntries()) {
                if (closure.add(group.getDN())) {
                    next.add(group.getDN());
                }
            }
            frontier = next;
        }
        List<Filter> equivalent = new ArrayList<>();
        equivalent.add(Filter.createEqualityFilter("member", member));
        closure.forEach(dn -> equivalent.add(Filter.createEqualityFilter("member", dn)));
        SearchRequest rewritten = request.getRequest().duplicate();
        rewritten.setFilter(Filter.createORFilter(equivalent));
        request.setRequest(rewritten);
    }
}
