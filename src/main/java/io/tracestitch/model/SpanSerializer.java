package io.tracestitch.model;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link Span}. Spans wait in state until their trace closes, so on read the
 * low-cardinality strings (tenant, service, name, kind, system, destination, attributes) are
 * shared through {@link Canonical#of} instead of being copied into every span.
 */
public final class SpanSerializer extends RecordSerializer<Span> {

    public static final SpanSerializer INSTANCE = new SpanSerializer();

    /** Used through {@code @TypeInfo} on {@link Span}. */
    public static final class Factory extends TypeInfoFactory<Span> {
        @Override
        public TypeInformation<Span> createTypeInfo(Type t, Map<String, TypeInformation<?>> parameters) {
            return new Info<>(Span.class, INSTANCE);
        }
    }

    @Override
    public void serialize(Span s, DataOutputView out) throws IOException {
        writeString(s.tenant(), out);
        writeString(s.traceId(), out);
        writeString(s.spanId(), out);
        writeString(s.parentSpanId(), out);
        writeString(s.service(), out);
        writeString(s.name(), out);
        writeString(s.kind(), out);
        out.writeDouble(s.startMs());
        out.writeDouble(s.endMs());
        out.writeBoolean(s.error());
        writeString(s.requestId(), out);
        out.writeInt(s.messages().length);
        for (MessageRef m : s.messages()) {
            writeString(m.system(), out);
            out.writeBoolean(m.publish());
            writeString(m.destination(), out);
            writeString(m.id(), out);
        }
        out.writeInt(s.links().length);
        for (SpanLink l : s.links()) {
            writeString(l.traceId(), out);
            writeString(l.spanId(), out);
        }
        writeString(s.attributesJson(), out);
    }

    @Override
    public Span deserialize(DataInputView in) throws IOException {
        String tenant = Canonical.of(readString(in));
        String traceId = readId(in);
        String spanId = readString(in);
        String parentSpanId = readString(in);
        String service = Canonical.of(readString(in));
        String name = Canonical.of(readString(in));
        String kind = Canonical.of(readString(in));
        double startMs = in.readDouble();
        double endMs = in.readDouble();
        boolean error = in.readBoolean();
        String requestId = readString(in);
        MessageRef[] messages = new MessageRef[in.readInt()];
        for (int i = 0; i < messages.length; i++) {
            String system = Canonical.of(readString(in));
            boolean publish = in.readBoolean();
            String destination = Canonical.of(readString(in));
            messages[i] = new MessageRef(tenant, system, publish, destination, readString(in));
        }
        SpanLink[] links = new SpanLink[in.readInt()];
        for (int i = 0; i < links.length; i++) {
            links[i] = new SpanLink(readString(in), readString(in));
        }
        return new Span(tenant, traceId, spanId, parentSpanId, service, name, kind, startMs, endMs, error,
                requestId, messages, links, Canonical.of(readString(in)));
    }

    @Override
    public TypeSerializerSnapshot<Span> snapshotConfiguration() {
        return new SpanSnapshot();
    }

    /** Flink instantiates snapshots reflectively: a public class with a no-argument constructor. */
    public static final class SpanSnapshot extends VersionedSnapshot<Span> {
        public SpanSnapshot() {
            super(Span.class, () -> INSTANCE);
        }
    }
}
