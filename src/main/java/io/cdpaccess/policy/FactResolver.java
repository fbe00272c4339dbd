package io.cdpaccess.policy;

import java.util.Optional;

/**
 * Supplies a variable's plain value (see {@link FactType}) the first time a rule reads it, so
 * that a decision fetches only the facts its policy actually uses. Empty means the fact is not
 * available (a rule reading it errs).
 */
@FunctionalInterface
public interface FactResolver {

    Optional<Object> resolve(String variable);
}
