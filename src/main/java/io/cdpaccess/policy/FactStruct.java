package io.cdpaccess.policy;

import dev.cel.common.exceptions.CelAttributeNotFoundException;
import dev.cel.common.types.CelType;
import dev.cel.common.values.StructValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A structure fact as CEL sees it during one evaluation. Field reads go through
 * {@link #select}/{@link #find}, which is where the engine learns exactly which facts a rule
 * read — the "facts used" of an explanation — without the rule author doing anything.
 */
final class FactStruct extends StructValue<String, Map<String, Object>> {

    private final FactType.Struct type;
    private final CelType celType;
    private final Map<String, Object> values;
    private final String path;
    private final ReadLog log;
    /** Per field (by {@link FactType.Struct#index}): the CEL value and the dotted path, made on first read. */
    private final Object[] converted;
    private final String[] paths;

    FactStruct(FactType.Struct type, CelType celType, Map<String, Object> values, String path, ReadLog log) {
        this.type = type;
        this.celType = celType;
        this.values = values;
        this.path = path;
        this.log = log;
        this.converted = new Object[type.fields().size()];
        this.paths = new String[type.fields().size()];
    }

    @Override
    public Map<String, Object> value() {
        return values;
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
        String fieldPath = paths[i];
        if (fieldPath == null) {
            fieldPath = path + "." + field;
            paths[i] = fieldPath;
        }
        Object raw = values.get(field);
        if (raw == null) {
            log.read(fieldPath, null);
            return Optional.empty();
        }
        FactType fieldType = type.fieldType(i);
        if (!(fieldType instanceof FactType.Struct)) {
            log.read(fieldPath, raw); // on every read, so that each rule's record is complete
        }
        Object cel = converted[i];
        if (cel == null) {
            cel = toCel(fieldType, raw, fieldPath, log);
            converted[i] = cel;
        }
        return Optional.of(cel);
    }

    /** The CEL form of a plain value: structures become FactStructs, everything else is itself. */
    static Object toCel(FactType type, Object plain, String path, ReadLog log) {
        if (type instanceof FactType.Struct s) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) plain;
            return new FactStruct(s, s.celType(), map, path, log);
        }
        if (type instanceof FactType.ListOf l && l.element() instanceof FactType.Struct) {
            List<?> list = (List<?>) plain;
            return list.stream().map(e -> toCel(l.element(), e, path + "[]", log)).toList();
        }
        return plain;
    }
}
