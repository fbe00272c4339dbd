package io.cdpaccess.policy;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The type of one fact a rule can read: a string, integer, boolean or timestamp, a list, or a
 * structure of named fields (such as {@code store.grant}).
 *
 * <p>Fact values travel as plain Java values — {@code String}, {@code Long}, {@code Boolean},
 * {@link Instant}, {@code List}, {@code Map<String, Object>} (a structure; a missing key is an
 * unset field, so {@code has(store.grant.until)} is false) — so that they can be recorded as JSON
 * with a decision and read back for replay. The type turns them into what CEL evaluates, and
 * JSON-decoded values back into plain values.
 */
public sealed interface FactType {

    /** The CEL type the checker sees. */
    CelType celType();

    /** Converts a plain value (possibly JSON-decoded: ISO text for timestamps, any Number) to its canonical form. */
    Object canonical(Object value);

    /** Scalar kinds. */
    enum Scalar implements FactType {
        STRING(SimpleType.STRING),
        INT(SimpleType.INT),
        BOOL(SimpleType.BOOL),
        TIMESTAMP(SimpleType.TIMESTAMP);

        private final CelType celType;

        Scalar(CelType celType) {
            this.celType = celType;
        }

        @Override
        public CelType celType() {
            return celType;
        }

        @Override
        public Object canonical(Object value) {
            Object canonical = switch (this) {
                case INT -> value instanceof Long ? value : value instanceof Number n ? (Object) n.longValue() : null;
                case TIMESTAMP -> value instanceof String s ? timestamp(s) : value instanceof Instant ? value : null;
                case BOOL -> value instanceof Boolean ? value : null;
                case STRING -> value instanceof String ? value : null;
            };
            if (canonical != null) {
                return canonical;
            }
            throw new IllegalArgumentException("expected " + name().toLowerCase(java.util.Locale.ROOT) + " but got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }

        private static Instant timestamp(String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a timestamp: " + text, e);
            }
        }
    }

    /** A list whose elements all have one type. */
    record ListOf(FactType element) implements FactType {
        @Override
        public CelType celType() {
            return ListType.create(element.celType());
        }

        @Override
        public Object canonical(Object value) {
            if (!(value instanceof List<?> list)) {
                throw new IllegalArgumentException("expected a list");
            }
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(element.canonical(o));
            }
            return Collections.unmodifiableList(out);
        }
    }

    /**
     * A structure of named, typed fields. Its CEL type is built once, here: the checker and the
     * runtime must see the very same type object for a structure wherever it appears.
     */
    final class Struct implements FactType {

        private final String typeName;
        private final Map<String, FactType> fields;
        private final Map<String, Integer> indexes;
        private final FactType[] types;
        private final StructType celType;

        /**
         * @param typeName the CEL type name, e.g. {@code cdp.Grant}; unique within a schema
         */
        public Struct(String typeName, Map<String, FactType> fields) {
            this.typeName = typeName;
            this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            Map<String, Integer> index = new java.util.HashMap<>();
            this.types = new FactType[fields.size()];
            for (String name : this.fields.keySet()) {
                types[index.size()] = this.fields.get(name);
                index.put(name, index.size());
            }
            this.indexes = index; // a HashMap: the fastest lookup on the decision path, never modified again
            Map<String, FactType> f = this.fields;
            @SuppressWarnings("Immutable") // f is an unmodifiable copy, never changed; FactTypes are immutable
            StructType.FieldResolver resolver =
                    name -> Optional.ofNullable(f.get(name)).map(FactType::celType);
            this.celType =
                    StructType.create(typeName, com.google.common.collect.ImmutableSet.copyOf(f.keySet()), resolver);
        }

        /** Builder-style constructor for readable schema definitions: name, type, name, type... */
        public static Struct of(String typeName, Object... namesAndTypes) {
            Map<String, FactType> f = new LinkedHashMap<>();
            for (int i = 0; i < namesAndTypes.length; i += 2) {
                f.put((String) namesAndTypes[i], (FactType) namesAndTypes[i + 1]);
            }
            return new Struct(typeName, f);
        }

        public String typeName() {
            return typeName;
        }

        public Map<String, FactType> fields() {
            return fields;
        }

        /** The field's position, or -1 when there is no such field. */
        int index(String field) {
            Integer i = indexes.get(field);
            return i == null ? -1 : i;
        }

        FactType fieldType(int index) {
            return types[index];
        }

        @Override
        public StructType celType() {
            return celType;
        }

        @Override
        public Map<String, Object> canonical(Object value) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("expected a structure of " + String.join(", ", fields.keySet()));
            }
            Map<String, Object> out = null; // made only when something must change
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                FactType type = fields.get(key);
                if (type == null) {
                    throw new IllegalArgumentException(
                            "unknown field '" + key + "'; expected one of " + String.join(", ", fields.keySet()));
                }
                Object canonical;
                try {
                    canonical = e.getValue() == null ? null : type.canonical(e.getValue()); // null: "not set"
                } catch (IllegalArgumentException inner) {
                    throw new IllegalArgumentException(key + ": " + inner.getMessage());
                }
                if (out == null
                        && (canonical != e.getValue() || canonical == null || !(e.getKey() instanceof String))) {
                    out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> before : map.entrySet()) {
                        if (before.getKey() == e.getKey()) {
                            break;
                        }
                        out.put((String) before.getKey(), before.getValue());
                    }
                }
                if (out != null && canonical != null) {
                    out.put(key, canonical);
                }
            }
            // Facts made in this process are usually canonical already: hand them back as they
            // are rather than copying every structure of every decision.
            @SuppressWarnings("unchecked") // every key was checked to be a String above
            Map<String, Object> same = (Map<String, Object>) map;
            return out == null ? same : Collections.unmodifiableMap(out);
        }

        /** Structures are equal when they have the same name and the same fields of the same types. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Struct other && typeName.equals(other.typeName) && fields.equals(other.fields);
        }

        @Override
        public int hashCode() {
            return typeName.hashCode() * 31 + fields.hashCode();
        }

        @Override
        public String toString() {
            return typeName;
        }
    }
}
