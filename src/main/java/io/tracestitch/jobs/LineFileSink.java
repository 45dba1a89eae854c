package io.tracestitch.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes lines to one local file (run it at parallelism 1). Meant for the embedded runs of
 * {@code stitch} and {@code demo}; endless streams go to Kafka or Kinesis instead.
 */
final class LineFileSink implements Sink<String> {

    private final String path;

    LineFileSink(Path path) {
        this.path = path.toAbsolutePath().toString();
    }

    @Override
    @SuppressWarnings("deprecation") // the InitContext variant is the one Flink 1.20 requires
    public SinkWriter<String> createWriter(InitContext context) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8);
        return new SinkWriter<>() {
            @Override
            public void write(String line, Context context) throws IOException {
                out.write(line);
                out.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
