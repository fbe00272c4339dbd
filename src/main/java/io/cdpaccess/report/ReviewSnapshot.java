package io.cdpaccess.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cdpaccess.config.Durations;
import io.cdpaccess.ids.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * What an access review was made from, and an id for it, so that a signed review can be produced
 * again and shown to rest on the same inputs: the review time ({@code --as-of}), the filters and
 * thresholds, the store's version (bumped by every change to grants, projects or blocks), the
 * SHA-256 of the policy's rules (as the record of a policy load keeps it) and the SHA-256 of the
 * facts every evaluation used.
 *
 * <p>{@code facts_sha256} is SHA-256 over one line per evaluation ({@code instance}, {@code user},
 * {@code project}, then the {@code effect}, {@code reason}, each source's outcome and every fact
 * the policy read — the request, {@code now}, the store's facts and the sources'), each line the
 * evaluation as JSON with object keys sorted and no spaces, ending in a line feed, in order of
 * instance, user and project. The id is {@code ar1-} and the first 32 hex digits of SHA-256 over
 * {@link #canonical()}.
 *
 * @param storeVersion the store's version when the review read it
 * @param policySha256 the rules' SHA-256 (hex)
 * @param factsSha256 the evaluations' SHA-256 (hex)
 */
public record ReviewSnapshot(
        String id, Instant asOf, long storeVersion, String policySha256, String factsSha256, String filters) {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(SerializationFeature.INDENT_OUTPUT, false);

    static ReviewSnapshot of(AccessReview.Scope scope, long storeVersion, String policySha256, String factsSha256) {
        String filters = "instance=" + scope.instance().orElse("*")
                + " project="
                + (scope.projectId().isPresent()
                        ? Long.toString(scope.projectId().getAsLong())
                        : "*")
                + " expiring_within=" + Durations.format(scope.expiringWithin())
                + " unused_for=" + Durations.format(scope.unusedFor());
        String canonical = canonical(scope.asOf(), storeVersion, policySha256, factsSha256, filters);
        String id = "ar1-" + Sha256.hexPrefix(canonical, 16);
        return new ReviewSnapshot(id, scope.asOf(), storeVersion, policySha256, factsSha256, filters);
    }

    /** The text the id is the digest of: one {@code key=value} line for each input. */
    public String canonical() {
        return canonical(asOf, storeVersion, policySha256, factsSha256, filters);
    }

    private static String canonical(
            Instant asOf, long storeVersion, String policySha256, String factsSha256, String filters) {
        return "cdp-access access-review 1\n"
                + "as_of=" + asOf + "\n"
                + "store_version=" + storeVersion + "\n"
                + "policy_sha256=" + policySha256 + "\n"
                + "facts_sha256=" + factsSha256 + "\n"
                + "filters=" + filters + "\n";
    }

    /** SHA-256 (hex) over each evaluation as one line of canonical JSON. */
    static String factsSha256(List<Object> evaluations) {
        StringBuilder lines = new StringBuilder();
        for (Object e : evaluations) {
            try {
                lines.append(CANONICAL.writeValueAsString(e)).append('\n');
            } catch (JsonProcessingException impossible) {
                throw new IllegalStateException("facts are plain values and always serialize", impossible);
            }
        }
        return HexFormat.of().formatHex(Sha256.of(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
