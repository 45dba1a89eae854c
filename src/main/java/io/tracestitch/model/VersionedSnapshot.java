package io.tracestitch.model;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer: the format version of the type it serializes
 * ({@link SchemaVersion}). A restore is compatible only with the same version; an older one is
 * refused rather than misread (no migration exists yet).
 */
public abstract class VersionedSnapshot<T> implements TypeSerializerSnapshot<T> {

    private final Class<T> type;
    private final Supplier<TypeSerializer<T>> serializer;
    private int formatVersion;

    protected VersionedSnapshot(Class<T> type, Supplier<TypeSerializer<T>> serializer) {
        this.type = type;
        this.serializer = serializer;
        this.formatVersion = versionOf(type);
    }

    @Override
    public int getCurrentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(formatVersion);
    }

    @Override
    public void readSnapshot(int snapshotVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        formatVersion = in.readInt();
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializer.get();
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        return old.getClass() == getClass() && ((VersionedSnapshot<?>) old).formatVersion == formatVersion
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }

    /** The {@link SchemaVersion} of {@code type}, or 1 when it has none. */
    public static int versionOf(Class<?> type) {
        SchemaVersion version = type.getAnnotation(SchemaVersion.class);
        return version == null ? 1 : version.value();
    }


    @Override
    public String toString() {
        return type.getSimpleName() + " format " + formatVersion;
    }
}
