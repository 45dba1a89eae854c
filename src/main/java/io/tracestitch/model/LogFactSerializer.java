package io.tracestitch.model;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializes {@link LogFact} with its {@link PlatformLine}. */
public final class LogFactSerializer extends RecordSerializer<LogFact> {

    public static final LogFactSerializer INSTANCE = new LogFactSerializer();
    private static final PlatformLine.Kind[] KINDS = PlatformLine.Kind.values();

    /** Used through {@code @TypeInfo} on {@link LogFact}. */
    public static final class Factory extends TypeInfoFactory<LogFact> {
        @Override
        public TypeInformation<LogFact> createTypeInfo(Type t, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(LogFact.class, INSTANCE);
        }
    }

    @Override
    public void serialize(LogFact log, DataOutputView out) throws IOException {
        writeString(log.tenant(), out);
        writeString(log.function(), out);
        out.writeLong(log.timestampMs());
        PlatformLine l = log.line();
        writeString(l.requestId(), out);
        out.writeByte(l.kind().ordinal());
        out.writeDouble(l.durationMs());
        out.writeDouble(l.billedDurationMs());
        out.writeDouble(l.memorySizeMb());
        out.writeDouble(l.maxMemoryUsedMb());
        out.writeDouble(l.initDurationMs());
        out.writeDouble(l.restoreDurationMs());
        writeString(l.status(), out);
        writeString(l.errorType(), out);
    }

    @Override
    public LogFact deserialize(DataInputView in) throws IOException {
        String tenant = Canonical.of(readString(in));
        String function = Canonical.of(readString(in));
        long timestamp = in.readLong();
        PlatformLine line = new PlatformLine(readId(in), KINDS[in.readByte()], in.readDouble(), in.readDouble(),
                in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), readString(in), readString(in));
        return new LogFact(tenant, function, timestamp, line);
    }

    @Override
    public TypeSerializerSnapshot<LogFact> snapshotConfiguration() {
        return new LogFactSnapshot();
    }

    /** Flink instantiates snapshots reflectively: a public class with a no-argument constructor. */
    public static final class LogFactSnapshot extends VersionedSnapshot<LogFact> {
        public LogFactSnapshot() {
            super(LogFact.class, () -> INSTANCE);
        }
    }
}
