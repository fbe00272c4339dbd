package io.cdpaccess.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * One row of the administrative trail ({@code changes}), with who ran the change as the system
 * knows them: its chain's start row's writer (process, account, {@code sudo} user, login uid).
 *
 * @param actor the name given with {@code --by} (a claim), or the account that ran the command
 * @param writer the process that wrote it, as its chain's start names it; empty before chains
 */
public record ChangeRecord(
        String changeId,
        Instant changedAt,
        String actor,
        String action,
        String subject,
        Optional<String> before,
        Optional<String> after,
        Optional<String> writer) {}
