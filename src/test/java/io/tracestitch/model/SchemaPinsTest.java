package io.tracestitch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every serialized format is pinned in {@code schema-pins.txt} with its {@link SchemaVersion}: the
 * schema of each compact record or sealed interface, the fields of each POJO state type, and the bytes
 * of a sample value for the hand-written serializers (their format is their code). A format change
 * without a version bump fails here, so a savepoint of the old format is refused on restore instead of
 * being misread; the failure message gives the line to pin once the version is bumped.
 */
class SchemaPinsTest {

    private static final String PINS = "/schema-pins.txt";

    private record Pin(int version, String format) {}

    @Test
    void everyFormatIsPinnedAndChangesOnlyWithItsVersion() {
        Map<String, Pin> pinned = readPins();
        Map<String, Pin> current = currentFormats();
        List<String> problems = new ArrayList<>();
        current.forEach((type, now) -> {
            Pin was = pinned.get(type);
            String line = type + " | " + now.version() + " | " + now.format();
            if (was == null) {
                problems.add("not pinned, add: " + line);
            } else if (!was.format().equals(now.format()) && was.version() == now.version()) {
                problems.add(type + " changed its format without a version bump (@SchemaVersion): was "
                        + was.format() + ", now " + now.format());
            } else if (was.version() != now.version() && was.format().equals(now.format())) {
                problems.add(type + " has a new version but the same format: undo the bump");
            } else if (!was.equals(now)) {
                problems.add(type + " is now version " + now.version() + ", pin: " + line);
            }
        });
        pinned.keySet().stream().filter(type -> !current.containsKey(type))
                .forEach(type -> problems.add("pinned but no longer serialized: " + type));
        assertThat(problems).isEmpty();
    }

    @Test
    void aCompactSnapshotRestoresOnlyTheSameSchema() throws Exception {
        TypeSerializerSnapshot<TransactionPlan> current = new CompactRecordSerializer<>(TransactionPlan.class)
                .snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(roundTrip(current)).isCompatibleAsIs()).isTrue();

        assertThat(current.resolveSchemaCompatibility(compactSnapshot(2, TransactionPlan.class, 1, "TransactionPlan(tenant:String)"))
                .isIncompatible()).as("another schema").isTrue();
        String schema = CompactRecordSerializer.schemaOf(TransactionPlan.class);
        assertThat(current.resolveSchemaCompatibility(compactSnapshot(2, TransactionPlan.class, 2, schema))
                .isIncompatible()).as("another version").isTrue();
        assertThat(current.resolveSchemaCompatibility(compactSnapshot(1, TransactionPlan.class, 0, null))
                .isIncompatible()).as("a version-1 snapshot, which held the class only").isTrue();
        assertThat(current.resolveSchemaCompatibility(compactSnapshot(2, TransactionPlan.class, 1, schema))
                .isCompatibleAsIs()).as("the same version and schema, written by another job").isTrue();
    }

    @Test
    void aHandWrittenSerializersSnapshotRestoresOnlyTheSameFormatVersion() throws Exception {
        TypeSerializerSnapshot<Span> current = SpanSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(roundTrip(current)).isCompatibleAsIs()).isTrue();
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeInt(0); // a format version that is not the current one
        TypeSerializerSnapshot<Span> other = new SpanSerializer.SpanSnapshot();
        other.readSnapshot(current.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(current.resolveSchemaCompatibility(other).isIncompatible()).isTrue();
        TypeSerializerSnapshot<LogFact> logFacts = LogFactSerializer.INSTANCE.snapshotConfiguration();
        assertThat(logFacts.resolveSchemaCompatibility(roundTrip(logFacts)).isCompatibleAsIs()).isTrue();
    }

    @Test
    void schemasNameComponentsTypesAndVariantsInOrder() {
        assertThat(CompactRecordSerializer.schemaOf(PlanOutcome.class)).isEqualTo("PlanOutcome{Written(seq:long,"
                + "revision:TransactionRevision(tenant:String,transactionId:String,revision:int,supersedes:String[],"
                + "line:byte[]))|Skipped(tenant:String,seq:long)}");
        assertThat(CompactRecordSerializer.schemaOf(JoinKey.class)).startsWith("JoinKey(");
    }

    private static <T> TypeSerializerSnapshot<T> roundTrip(TypeSerializerSnapshot<T> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), SchemaPinsTest.class.getClassLoader());
    }

    /** A snapshot as {@code snapshotVersion} of the compact codec's snapshot wrote it. */
    private static <T> TypeSerializerSnapshot<T> compactSnapshot(int snapshotVersion, Class<T> type, int schemaVersion,
            String schema) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeUTF(type.getName());
        if (snapshotVersion >= 2) {
            out.writeInt(schemaVersion);
            out.writeUTF(schema);
        }
        TypeSerializerSnapshot<T> snapshot = new CompactRecordSerializer.Snapshot<>();
        snapshot.readSnapshot(snapshotVersion, new DataInputDeserializer(out.getCopyOfBuffer()),
                SchemaPinsTest.class.getClassLoader());
        return snapshot;
    }

    private static Map<String, Pin> currentFormats() {
        Map<String, Pin> formats = new LinkedHashMap<>();
        for (Class<?> type : compactTypes()) {
            formats.put(type.getName(), new Pin(VersionedSnapshot.versionOf(type), CompactRecordSerializer.schemaOf(type)));
        }
        SerializationTest.stateTypes().sorted(Comparator.comparing(Class::getName))
                .forEach(type -> formats.put(type.getName(), new Pin(VersionedSnapshot.versionOf(type), pojoFields(type))));
        formats.put(Span.class.getName(), new Pin(VersionedSnapshot.versionOf(Span.class),
                sampleBytes(SpanSerializer.INSTANCE, SerializationTest.SPAN)));
        formats.put(LogFact.class.getName(), new Pin(VersionedSnapshot.versionOf(LogFact.class),
                sampleBytes(LogFactSerializer.INSTANCE, SerializationTest.LOG_FACT)));
        return formats;
    }

    /** The model's records and sealed interfaces that the compact codec serializes. */
    private static List<Class<?>> compactTypes() {
        try {
            Path model = Path.of(JoinKey.class.getResource("JoinKey.class").toURI()).getParent();
            try (Stream<Path> files = Files.list(model)) {
                return files.map(file -> file.getFileName().toString())
                        .filter(name -> name.endsWith(".class") && !name.contains("$"))
                        .sorted()
                        .<Class<?>>map(name -> load("io.tracestitch.model." + name.substring(0, name.length() - 6)))
                        .filter(type -> type.getAnnotation(TypeInfo.class) != null
                                && type.getAnnotation(TypeInfo.class).value() == CompactRecordSerializer.Factory.class)
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flink's POJO serializer writes the public fields ordered by name. */
    private static String pojoFields(Class<?> type) {
        StringBuilder fields = new StringBuilder(type.getSimpleName()).append('(');
        Arrays.stream(type.getFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers()))
                .sorted(Comparator.comparing(Field::getName))
                .forEach(field -> fields.append(fields.charAt(fields.length() - 1) == '(' ? "" : ",")
                        .append(field.getName()).append(':')
                        .append(field.getGenericType().getTypeName().replaceAll("[a-z]+\\.([a-z]+\\.)*", "")));
        return fields.append(')').toString();
    }

    private static <T> String sampleBytes(TypeSerializer<T> serializer, T sample) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(sample, out);
            return "sample " + HexFormat.of().formatHex(out.getCopyOfBuffer());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Pin> readPins() {
        try (var in = SchemaPinsTest.class.getResourceAsStream(PINS)) {
            assertThat(in).as(PINS).isNotNull();
            Map<String, Pin> pins = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" \\| ", 3);
                pins.put(parts[0], new Pin(Integer.parseInt(parts[1]), parts[2]));
            }
            return pins;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
