package io.cdpaccess.policy;

/**
 * A variable ({@code store}) or a chain of structure fields below one ({@code store.grant.until}):
 * everything a rule can name without calling a function. Each has a slot number, so one
 * evaluation keeps the values it has looked up in an array rather than a map.
 *
 * @param slot position in an evaluation's arrays, unique within a {@link FactSchema}
 * @param name the dotted name, as a rule writes it and as the explanation records it
 * @param parent the structure this is a field of; {@code null} for a variable
 * @param field the field's name in {@code parent}; the variable's name for a variable
 * @param type the value's type
 */
record FactPath(int slot, String name, FactPath parent, String field, FactType type) {

    boolean isVariable() {
        return parent == null;
    }
}
