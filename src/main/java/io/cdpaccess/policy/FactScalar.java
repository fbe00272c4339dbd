package io.cdpaccess.policy;

import dev.cel.common.types.CelType;
import dev.cel.common.values.CelValue;
import java.time.Instant;

/**
 * A string, integer, boolean or timestamp fact as handed to CEL when a rule reads it by name.
 * CEL unwraps it to the plain value straight away, so rules see exactly what they would see
 * otherwise; the point is how CEL gets there. CEL-Java's value converter passes a
 * {@link CelValue} through with one class check, but probes any other object against its
 * container interfaces ({@code List}, {@code RandomAccess}, {@code Collection}, {@code Map}) on
 * every read and again on unwrapping: interface checks that fail walk the class's interfaces
 * each time, and measured about a quarter of a decision's time before facts came wrapped.
 *
 * <p>Only scalars are wrapped: a list or structure may carry qualifiers ({@code xs[0]}), which
 * CEL applies before unwrapping and which must see the container itself.
 */
@SuppressWarnings("Immutable") // holds an Object: always an immutable String, Long, Boolean or Instant
final class FactScalar extends CelValue {

    private final Object value;
    private final CelType type;

    FactScalar(Object value, CelType type) {
        this.value = value;
        this.type = type;
    }

    @Override
    public Object value() {
        return value;
    }

    @Override
    public boolean isZeroValue() {
        return value.equals("") || value.equals(0L) || Boolean.FALSE.equals(value) || value.equals(Instant.EPOCH);
    }

    @Override
    public CelType celType() {
        return type;
    }

    @Override
    public String toString() {
        return String.valueOf(value);
    }
}
