package io.tracestitch.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of our serializers for immutable records. Strings go as UTF-8 byte blocks rather than
 * Flink's char-by-char encoding, which was the largest cost of moving records between stages.
 * Hand-written subclasses serve the records shipped once per input line (spans, log facts);
 * {@link CompactRecordSerializer} serves the others.
 */
public abstract class RecordSerializer<T> extends TypeSerializer<T> {

    @Override
    public TypeSerializer<T> duplicate() {
        return this; // stateless
    }

    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public T copy(T from, T reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    static void writeString(String value, DataOutputView out) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * An id that keys state in the stage reading it (trace, request, transaction ids): one shared
     * copy per JVM instead of one per record and stage; the JVM's string table drops entries
     * nobody references any more.
     */
    static String readId(DataInputView in) throws IOException {
        String value = readString(in);
        return value == null ? null : value.intern();
    }

    /** Type information that hands out one serializer. */
    public static final class Info<T> extends TypeInformation<T> {
        private final Class<T> type;
        private final TypeSerializer<T> serializer;

        public Info(Class<T> type, TypeSerializer<T> serializer) {
            this.type = type;
            this.serializer = serializer;
        }

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<T> getTypeClass() {
            return type;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        @SuppressWarnings("deprecation") // the abstract variant Flink 1.20 requires
        public TypeSerializer<T> createSerializer(ExecutionConfig config) {
            return serializer;
        }

        @Override
        public String toString() {
            return type.getSimpleName();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Info<?> info && info.type == type;
        }

        @Override
        public int hashCode() {
            return type.hashCode();
        }

        @Override
        public boolean canEqual(Object other) {
            return other instanceof Info;
        }
    }

    /** Each subclass returns a snapshot that carries the format version ({@link SchemaVersion}). */
    @Override
    public abstract TypeSerializerSnapshot<T> snapshotConfiguration();
}
