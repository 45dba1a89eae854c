package io.tracestitch.model;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * Serializes any of our immutable records, or a sealed interface of them (and records, enums, arrays
 * and primitives nested in them), field by field in declaration order, strings as UTF-8 blocks. It
 * replaces Flink's POJO serializer for the records that travel between stages, whose char-by-char
 * string encoding and reflective field access were a large share of the job's CPU. Put
 * {@code @TypeInfo(CompactRecordSerializer.Factory.class)} on the record or sealed interface to use
 * it. The field list is the schema: changing a record's components changes its serialized form, so
 * the snapshot records the schema ({@link #schemaOf}) and its {@link SchemaVersion}, and a restore
 * with a different one is refused rather than misread.
 */
public final class CompactRecordSerializer<T> extends RecordSerializer<T> {

    /** Used through {@code @TypeInfo} on a record or sealed interface. */
    public static final class Factory<T> extends TypeInfoFactory<T> {
        @Override
        @SuppressWarnings("unchecked")
        public TypeInformation<T> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            Class<T> recordClass = (Class<T>) type;
            return new RecordSerializer.Info<>(recordClass, new CompactRecordSerializer<>(recordClass));
        }
    }

    private final Class<T> type;
    private transient Codec codec;

    public CompactRecordSerializer(Class<T> type) {
        this.type = type;
    }

    private Codec codec() {
        if (codec == null) {
            codec = codecFor(type);
        }
        return codec;
    }

    @Override
    public void serialize(T record, DataOutputView out) throws IOException {
        codec().write(record, out);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(DataInputView in) throws IOException {
        return (T) codec().read(in);
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this; // stateless apart from a cache of immutable method handles
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CompactRecordSerializer<?> s && s.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new Snapshot<>(type);
    }

    /** Writes and reads one value of one declared type. */
    private interface Codec {
        void write(Object value, DataOutputView out) throws IOException;

        Object read(DataInputView in) throws IOException;
    }

    private static Codec codecFor(Class<?> type) {
        if (type == String.class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    RecordSerializer.writeString((String) v, out);
                }

                public Object read(DataInputView in) throws IOException {
                    return RecordSerializer.readId(in);
                }
            };
        }
        if (type == int.class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    out.writeInt((Integer) v);
                }

                public Object read(DataInputView in) throws IOException {
                    return in.readInt();
                }
            };
        }
        if (type == long.class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    out.writeLong((Long) v);
                }

                public Object read(DataInputView in) throws IOException {
                    return in.readLong();
                }
            };
        }
        if (type == double.class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    out.writeDouble((Double) v);
                }

                public Object read(DataInputView in) throws IOException {
                    return in.readDouble();
                }
            };
        }
        if (type == boolean.class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    out.writeBoolean((Boolean) v);
                }

                public Object read(DataInputView in) throws IOException {
                    return in.readBoolean();
                }
            };
        }
        if (type == byte[].class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    byte[] bytes = (byte[]) v;
                    out.writeInt(bytes == null ? -1 : bytes.length);
                    if (bytes != null) {
                        out.write(bytes);
                    }
                }

                public Object read(DataInputView in) throws IOException {
                    int length = in.readInt();
                    if (length < 0) {
                        return null;
                    }
                    byte[] bytes = new byte[length];
                    in.readFully(bytes);
                    return bytes;
                }
            };
        }
        if (type == int[].class) {
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    int[] values = (int[]) v;
                    out.writeInt(values == null ? -1 : values.length);
                    if (values != null) {
                        for (int value : values) {
                            out.writeInt(value);
                        }
                    }
                }

                public Object read(DataInputView in) throws IOException {
                    int length = in.readInt();
                    if (length < 0) {
                        return null;
                    }
                    int[] values = new int[length];
                    for (int i = 0; i < length; i++) {
                        values[i] = in.readInt();
                    }
                    return values;
                }
            };
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    out.writeByte(v == null ? -1 : ((Enum<?>) v).ordinal());
                }

                public Object read(DataInputView in) throws IOException {
                    byte ordinal = in.readByte();
                    return ordinal < 0 ? null : constants[ordinal];
                }
            };
        }
        if (type.isArray() && !type.getComponentType().isPrimitive()) {
            Class<?> element = type.getComponentType();
            Codec elements = codecFor(element);
            // Records never write into their arrays, so every empty one can be the same.
            Object[] empty = (Object[]) Array.newInstance(element, 0);
            return new Codec() {
                public void write(Object v, DataOutputView out) throws IOException {
                    Object[] values = (Object[]) v;
                    out.writeInt(values == null ? -1 : values.length);
                    if (values != null) {
                        for (Object value : values) {
                            elements.write(value, out);
                        }
                    }
                }

                public Object read(DataInputView in) throws IOException {
                    int length = in.readInt();
                    if (length < 0) {
                        return null;
                    }
                    if (length == 0) {
                        return empty;
                    }
                    Object[] values = (Object[]) Array.newInstance(element, length);
                    for (int i = 0; i < length; i++) {
                        values[i] = elements.read(in);
                    }
                    return values;
                }
            };
        }
        if (type.isRecord()) {
            return new RecordCodec(type);
        }
        if (type.isInterface() && type.isSealed()) {
            return new SealedCodec(type);
        }
        throw new IllegalArgumentException("no compact codec for " + type.getName());
    }

    /**
     * A sealed interface of records: which of its permitted records (a byte, -1 for null), then that
     * record's components. The order of the permitted records is part of the schema.
     */
    private static final class SealedCodec implements Codec {
        private final Class<?>[] variants;
        private final RecordCodec[] codecs;

        SealedCodec(Class<?> type) {
            variants = type.getPermittedSubclasses();
            codecs = new RecordCodec[variants.length];
            for (int i = 0; i < variants.length; i++) {
                if (!variants[i].isRecord()) {
                    throw new IllegalArgumentException("sealed " + type.getName() + " permits a non-record " + variants[i]);
                }
                codecs[i] = new RecordCodec(variants[i]);
            }
        }

        @Override
        public void write(Object value, DataOutputView out) throws IOException {
            if (value == null) {
                out.writeByte(-1);
                return;
            }
            for (int i = 0; i < variants.length; i++) {
                if (variants[i] == value.getClass()) {
                    out.writeByte(i);
                    codecs[i].writeComponents(value, out);
                    return;
                }
            }
            throw new IllegalArgumentException("not a permitted variant: " + value.getClass().getName());
        }

        @Override
        public Object read(DataInputView in) throws IOException {
            byte variant = in.readByte();
            return variant < 0 ? null : codecs[variant].readComponents(in);
        }
    }

    /** A record: a presence byte, then its components in declaration order. */
    private static final class RecordCodec implements Codec {
        private final MethodHandle[] getters;
        private final Codec[] components;
        private final MethodHandle constructor;

        RecordCodec(Class<?> type) {
            RecordComponent[] declared = type.getRecordComponents();
            getters = new MethodHandle[declared.length];
            components = new Codec[declared.length];
            Class<?>[] parameterTypes = new Class<?>[declared.length];
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            try {
                for (int i = 0; i < declared.length; i++) {
                    parameterTypes[i] = declared[i].getType();
                    getters[i] = lookup.unreflect(declared[i].getAccessor())
                            .asType(MethodType.methodType(Object.class, Object.class));
                    components[i] = codecFor(declared[i].getType());
                }
                constructor = lookup.unreflectConstructor(type.getDeclaredConstructor(parameterTypes))
                        .asSpreader(Object[].class, declared.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("record " + type.getName() + " must be public", e);
            }
        }

        @Override
        public void write(Object record, DataOutputView out) throws IOException {
            out.writeBoolean(record != null);
            if (record != null) {
                writeComponents(record, out);
            }
        }

        void writeComponents(Object record, DataOutputView out) throws IOException {
            try {
                for (int i = 0; i < getters.length; i++) {
                    components[i].write((Object) getters[i].invokeExact(record), out);
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Object read(DataInputView in) throws IOException {
            return in.readBoolean() ? readComponents(in) : null;
        }

        Object readComponents(DataInputView in) throws IOException {
            Object[] values = new Object[components.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = components[i].read(in);
            }
            try {
                return (Object) constructor.invokeExact(values);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The serialized form of {@code type} as text: records as {@code Name(component:schema,…)}, sealed
     * interfaces as {@code Name{Record(…)|Record(…)}}, enums with their constants in order, arrays with
     * {@code []}. Two types with the same schema write the same bytes for the same values.
     */
    public static String schemaOf(Class<?> type) {
        StringBuilder schema = new StringBuilder();
        appendSchema(type, schema, new HashSet<>());
        return schema.toString();
    }

    private static void appendSchema(Class<?> type, StringBuilder schema, Set<Class<?>> open) {
        if (type.isArray()) {
            appendSchema(type.getComponentType(), schema, open);
            schema.append("[]");
        } else if (type.isEnum()) {
            schema.append(type.getSimpleName()).append('[');
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                schema.append(i == 0 ? "" : ",").append(((Enum<?>) constants[i]).name());
            }
            schema.append(']');
        } else if ((type.isRecord() || type.isSealed()) && !open.add(type)) {
            schema.append(type.getSimpleName()); // a type inside itself: named, not expanded again
        } else if (type.isRecord()) {
            schema.append(type.getSimpleName()).append('(');
            RecordComponent[] components = type.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                schema.append(i == 0 ? "" : ",").append(components[i].getName()).append(':');
                appendSchema(components[i].getType(), schema, open);
            }
            schema.append(')');
            open.remove(type);
        } else if (type.isInterface() && type.isSealed()) {
            schema.append(type.getSimpleName()).append('{');
            Class<?>[] variants = type.getPermittedSubclasses();
            for (int i = 0; i < variants.length; i++) {
                schema.append(i == 0 ? "" : "|");
                appendSchema(variants[i], schema, open);
            }
            schema.append('}');
            open.remove(type);
        } else {
            schema.append(type.getSimpleName());
        }
    }

    /**
     * The record class, its {@link SchemaVersion} and its schema. Version 1 of this snapshot held the
     * class only and is refused on restore: it cannot say which format the state was written in.
     */
    public static final class Snapshot<T> implements TypeSerializerSnapshot<T> {
        private Class<T> type;
        private int schemaVersion;
        private String schema;

        public Snapshot() {}

        Snapshot(Class<T> type) {
            this.type = type;
            this.schemaVersion = VersionedSnapshot.versionOf(type);
            this.schema = schemaOf(type);
        }

        @Override
        public int getCurrentVersion() {
            return 2;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(type.getName());
            out.writeInt(schemaVersion);
            out.writeUTF(schema);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
            type = (Class<T>) InstantiationUtil.resolveClassByName(in, classLoader);
            if (version >= 2) {
                schemaVersion = in.readInt();
                schema = in.readUTF();
            }
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new CompactRecordSerializer<>(type);
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            return old instanceof Snapshot<?> s && s.type == type && s.schemaVersion == schemaVersion
                            && schema.equals(s.schema)
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }

        @Override
        public String toString() {
            return type.getSimpleName() + " version " + schemaVersion + ": " + schema;
        }
    }
}
