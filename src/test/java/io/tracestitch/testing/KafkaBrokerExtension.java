package io.tracestitch.testing;

import io.tracestitch.config.RunConfig;
import io.tracestitch.config.RunConfigLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link KafkaBroker} for one test class, registered as a static {@code @RegisterExtension}
 * field: started before the class's {@code @BeforeAll} methods, stopped after its last test.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = KafkaBroker.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Creates a topic with one replica per partition and waits until the broker has it. */
    public void createTopic(String name, int partitions) {
        broker().createTopic(name, partitions);
    }

    /**
     * A run configuration as a user writes it, loaded as {@code run} loads it: a YAML file in
     * {@code dir} with this broker, parallelism 2, a checkpoint every second into {@code dir}, and
     * the given keys, which may replace those.
     */
    public RunConfig runConfig(Path dir, Map<String, String> keys) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap-servers", bootstrapServers());
        settings.put("parallelism", "2");
        settings.put("checkpoint.interval", "1s");
        settings.put("checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
        settings.putAll(keys);
        StringBuilder yaml = new StringBuilder();
        settings.forEach((key, value) -> yaml.append(key).append(": '").append(value.replace("'", "''")).append("'\n"));
        Path file = Files.writeString(dir.resolve("run.yaml"), yaml);
        return RunConfigLoader.load(file, List.of(), Map.of()).config();
    }

    private KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only between beforeAll and afterAll");
        }
        return broker;
    }
}
