package io.cdpaccess.policy;

import dev.cel.common.exceptions.CelAttributeNotFoundException;
import dev.cel.common.types.CelType;
import dev.cel.common.values.StructValue;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A structure fact as CEL sees it during one evaluation. Field reads go through
 * {@link #select}/{@link #find}, which is where the engine learns exactly which facts a rule
 * read — the "facts used" of an explanation — without the rule author doing anything.
 *
 * <p>cel-java declares {@link StructValue} {@code @Immutable}; this one is not, deliberately: it
 * converts fields on first read and logs every read into the evaluation's {@link ReadLog}. That is
 * safe because a FactStruct lives for one evaluation on one thread and is never shared or cached
 * by CEL beyond it; the values it wraps are themselves never modified. docs/UPGRADING.md says
 * what to re-run when cel-java changes.
 */
@SuppressWarnings("Immutable") // per-evaluation caches and read log; see above
final class FactStruct extends StructValue<String, Map<String, Object>> {

    private final FactType.Struct type;
    private final CelType celType;
    private final Map<String, Object> values;
    private final String path;
    private final ReadLog log;
    /** Per field (by {@link FactType.Struct#index}): the CEL value and the dotted path, made on first read. */
    private final Object[] converted;

    private final String[] paths;
    private Map<String, Object> view;

    FactStruct(FactType.Struct type, CelType celType, Map<String, Object> values, String path, ReadLog log) {
        this.type = type;
        this.celType = celType;
        this.values = values;
        this.path = path;
        this.log = log;
        this.converted = new Object[type.fields().size()];
        this.paths = new String[type.fields().size()];
    }

    /**
     * What CEL works with once the structure leaves attribute resolution — inside a list or map
     * literal, a conditional, an optional, a comparison: a read-only map of the fields (nested
     * structures as maps too, as in the plain value) whose reads are logged like
     * {@link #find}'s, so the rule's record of facts read stays complete.
     */
    @Override
    public Map<String, Object> value() {
        Map<String, Object> v = view;
        if (v == null) {
            v = new ReadingView();
            view = v;
        }
        return v;
    }

    private final class ReadingView extends AbstractMap<String, Object> {

        @Override
        public Object get(Object key) {
            return key instanceof String field
                    ? find(field).map(FactStruct::plainShape).orElse(null)
                    : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String field && find(field).isPresent();
        }

        @Override
        public int size() {
            return values.size();
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return values.size();
                }

                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<String> fields = values.keySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return fields.hasNext();
                        }

                        @Override
                        public Entry<String, Object> next() {
                            // Not a read: CEL walks whole maps to convert them, whatever the rule
                            // goes on to use. Comparing two maps reads through get().
                            String field = fields.next();
                            return new SimpleImmutableEntry<>(
                                    field, plainShape(cel(type.index(field), field, values.get(field))));
                        }
                    };
                }
            };
        }
    }

    /** A field's CEL value in the shape of its plain value: structures as (reading) maps. */
    private static Object plainShape(Object cel) {
        if (cel instanceof FactStruct s) {
            return s.value();
        }
        if (cel instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof FactStruct) {
            return list.stream().map(FactStruct::plainShape).toList();
        }
        return cel;
    }

    @Override
    public boolean isZeroValue() {
        return values.isEmpty();
    }

    @Override
    public CelType celType() {
        return celType;
    }

    @Override
    public Object select(String field) {
        return find(field).orElseThrow(() -> CelAttributeNotFoundException.forMissingMapKey(path + "." + field));
    }

    @Override
    public Optional<Object> find(String field) {
        int i = type.index(field);
        if (i < 0) {
            return Optional.empty(); // the type checker only lets declared fields through
        }
        Object raw = values.get(field);
        if (raw == null) {
            log.read(fieldPath(i, field), null);
            return Optional.empty();
        }
        if (!(type.fieldType(i) instanceof FactType.Struct)) {
            log.read(fieldPath(i, field), raw); // on every read, so that each rule's record is complete
        }
        return Optional.of(cel(i, field, raw));
    }

    /** Field {@code i}'s dotted path, made on first use. */
    private String fieldPath(int i, String field) {
        String fieldPath = paths[i];
        if (fieldPath == null) {
            fieldPath = path + "." + field;
            paths[i] = fieldPath;
        }
        return fieldPath;
    }

    /** Field {@code i}'s CEL value, made on first use. Not a read: callers log. */
    private Object cel(int i, String field, Object raw) {
        Object cel = converted[i];
        if (cel == null) {
            cel = toCel(type.fieldType(i), raw, fieldPath(i, field), log);
            converted[i] = cel;
        }
        return cel;
    }

    /** The CEL form of a plain value: structures become FactStructs, everything else is itself. */
    static Object toCel(FactType type, Object plain, String path, ReadLog log) {
        if (type instanceof FactType.Struct s) {
            @SuppressWarnings("unchecked") // a structure's plain value is a map with text keys (FactType)
            Map<String, Object> map = (Map<String, Object>) plain;
            return new FactStruct(s, s.celType(), map, path, log);
        }
        if (type instanceof FactType.ListOf l && l.element() instanceof FactType.Struct) {
            List<?> list = (List<?>) plain;
            return list.stream()
                    .map(e -> toCel(l.element(), e, path + "[]", log))
                    .toList();
        }
        return plain;
    }
}
