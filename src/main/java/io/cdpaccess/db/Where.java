package io.cdpaccess.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@code WHERE} clause of optional conditions, each with one bound parameter: list filters
 * ("this instance, if given; this user, if given") without string concatenation of values.
 */
public final class Where {

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    /** Adds {@code condition}, which has no parameter, always. */
    public Where and(String condition) {
        sql.append(sql.length() == 0 ? " WHERE " : " AND ").append(condition);
        return this;
    }

    /** Adds {@code condition} (one {@code ?}) with {@code value}, when the value is present. */
    public <T> Where and(String condition, Optional<T> value) {
        return and(condition, value, Function.identity());
    }

    /** Adds {@code condition} (one {@code ?}) with the value converted for binding, when present. */
    public <T> Where and(String condition, Optional<T> value, Function<? super T, ?> toParameter) {
        value.ifPresent(v -> {
            sql.append(sql.length() == 0 ? " WHERE " : " AND ").append(condition);
            params.add(toParameter.apply(v));
        });
        return this;
    }

    /** The clause, with a leading space, or empty when no condition applies. */
    public String sql() {
        return sql.toString();
    }

    /** The parameters, in placeholder order. */
    public List<Object> params() {
        return List.copyOf(params);
    }
}
