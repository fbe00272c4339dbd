package io.cdpaccess.doctor;

import java.util.List;
import java.util.Optional;

/**
 * One call as REDCap's {@code http_post} makes it: every hop it followed and how it ended,
 * with REDCap's own verdict on it.
 *
 * @param hops every request made, the last one's answer being what REDCap reads
 * @param failure why there was no answer to read, if there was none
 * @param millis the whole call, redirects included
 */
public record Call(List<Hop> hops, Optional<CallFailure> failure, long millis) {

    public Call {
        hops = List.copyOf(hops);
    }

    /** The answer REDCap reads: the last hop's, when the call did not fail to get one. */
    public Optional<Hop> answer() {
        return failure.isPresent() || hops.isEmpty() ? Optional.empty() : Optional.of(hops.get(hops.size() - 1));
    }

    /** REDCap's rule: the call fails on 404, 407, any status ≥ 500 and whenever there is no answer. */
    public boolean failed() {
        return answer().map(h -> h.status() == 404 || h.status() == 407 || h.status() >= 500)
                .orElse(true);
    }

    /** What REDCap stores: {@code 1} only when the call did not fail and {@code trim(body) === '1'}. */
    public String redcapWouldStore() {
        return !failed() && phpTrim(answer().orElseThrow().body()).equals("1") ? "1" : "0";
    }

    /** PHP's {@code trim}: " \t\n\r\0\x0B" off both ends. */
    static String phpTrim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && " \t\n\r\0\u000B".indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && " \t\n\r\0\u000B".indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }
}
