package io.cdpaccess.audit;

import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Keeps a flood of refused requests (wrong secret, wrong method, too large, rate limited) from
 * filling the disk while still accounting for every one. The first {@code perAddressPerMinute}
 * refusals from a caller address in a clock minute are recorded one by one; the rest of that
 * minute's are counted, and when the minute is over become one {@code refusals-summarized} row:
 * how many, and which reasons and statuses. Only {@link Effect#REJECTED} records are ever
 * counted; a policy's deny, and anything about an authenticated caller's request, is always
 * recorded one by one.
 *
 * <p>At most {@link #MAX_ADDRESSES} addresses are tracked per minute; refusals from further
 * addresses in that minute are counted together under {@code *}, so memory stays bounded under
 * a flood from many addresses.
 */
final class RefusalSummaries {

    static final int MAX_ADDRESSES = 10_000;
    static final String OTHER_ADDRESSES = "*";

    private static final class Minute {
        int seen;
        final Map<String, Integer> summarizedReasons = new TreeMap<>();
        final Map<Integer, Integer> summarizedStatuses = new TreeMap<>();
        int summarized;
    }

    private final int perAddressPerMinute;
    private final Clock clock;
    private final Map<Instant, Map<String, Minute>> minutes = new HashMap<>();

    RefusalSummaries(int perAddressPerMinute, Clock clock) {
        this.perAddressPerMinute = perAddressPerMinute;
        this.clock = clock;
    }

    /** Whether {@code r} is to be recorded as itself; false when it was counted into its minute's summary. */
    synchronized boolean admit(DecisionRecord r) {
        if (r.effect() != Effect.REJECTED) {
            return true;
        }
        Map<String, Minute> byAddress = minutes.computeIfAbsent(minuteOf(r.decidedAt()), m -> new HashMap<>());
        String address = byAddress.containsKey(r.callerIp()) || byAddress.size() < MAX_ADDRESSES
                ? r.callerIp()
                : OTHER_ADDRESSES;
        Minute minute = byAddress.computeIfAbsent(address, a -> new Minute());
        minute.seen++;
        if (minute.seen <= perAddressPerMinute && !address.equals(OTHER_ADDRESSES)) {
            return true;
        }
        minute.summarized++;
        minute.summarizedReasons.merge(r.reason(), 1, Integer::sum);
        minute.summarizedStatuses.merge(r.httpStatus(), 1, Integer::sum);
        return false;
    }

    /** The summaries of minutes that are over, each returned once. */
    synchronized List<DecisionRecord> closed() {
        Instant current = minuteOf(clock.instant());
        List<Instant> over = minutes.keySet().stream()
                .filter(m -> m.isBefore(current))
                .sorted()
                .toList();
        List<DecisionRecord> out = new ArrayList<>();
        for (Instant m : over) {
            out.addAll(summaries(m, minutes.remove(m)));
        }
        return out;
    }

    /** Every summary so far, minutes not yet over included (when the log closes). */
    synchronized List<DecisionRecord> drain() {
        List<DecisionRecord> out = new ArrayList<>();
        minutes.keySet().stream().sorted().toList().forEach(m -> out.addAll(summaries(m, minutes.remove(m))));
        return out;
    }

    private List<DecisionRecord> summaries(Instant minute, Map<String, Minute> byAddress) {
        List<DecisionRecord> out = new ArrayList<>();
        new TreeMap<>(byAddress).forEach((address, counts) -> {
            if (counts.summarized > 0) {
                out.add(summary(minute, address, counts));
            }
        });
        return out;
    }

    private DecisionRecord summary(Instant minute, String address, Minute counts) {
        int status = counts.summarizedStatuses.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(404); // every refusal is a 404; there is always one when summarized > 0
        String from = address.equals(OTHER_ADDRESSES) ? "further addresses" : address;
        String detail = counts.summarized + " refusals from " + from + " in the minute from " + minute
                + " beyond the " + perAddressPerMinute + " recorded one by one: "
                + join(counts.summarizedReasons) + "; statuses " + join(counts.summarizedStatuses);
        return new DecisionRecord(
                Ids.next(clock),
                minute,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                address,
                address,
                Effect.REJECTED,
                Reason.REFUSALS_SUMMARIZED.code(),
                Optional.of(detail),
                status,
                0,
                Optional.empty());
    }

    private static String join(Map<?, Integer> counts) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static Instant minuteOf(Instant t) {
        return t.truncatedTo(ChronoUnit.MINUTES);
    }
}
