package io.cdpaccess.policy;

/**
 * One rule as an administrator wrote it.
 *
 * @param when a CEL expression of type bool over the schema's variables
 * @param origin where it was written, {@code file:line}, for error messages
 */
public record RuleSpec(String name, RuleEffect effect, String when, String description, String origin) {}
