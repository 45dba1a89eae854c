package io.tracestitch.jobs;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Writes UTF-8 lines to one local file (run it at parallelism 1). Meant for the embedded runs of
 * {@code stitch}, {@code demo} and the benchmark's span yardstick; endless streams go to Kafka or
 * Kinesis instead.
 */
public final class LineFileSink implements Sink<byte[]> {

    private final String path;

    public LineFileSink(Path path) {
        this.path = path.toAbsolutePath().toString();
    }

    @Override
    @SuppressWarnings("deprecation") // the InitContext variant is the one Flink 1.20 requires
    public SinkWriter<byte[]> createWriter(InitContext context) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(path)), 1 << 16);
        return new SinkWriter<>() {
            @Override
            public void write(byte[] line, Context context) throws IOException {
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
