package io.tracestitch.jobs;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.OtlpParser;

import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * The OpenTelemetry Collector file exporter's protobuf format for {@code FileSource}: each
 * {@code TracesData} (or {@code ExportTraceServiceRequest}) preceded by its length, 4 bytes big-endian,
 * handed on as the message's bytes. Memory stays bounded whatever the file holds: a length over
 * {@link OtlpParser#MAX_REQUEST_BYTES} is never allocated; that message is skipped, keeping its
 * first bytes for an {@code otlp-too-large} dead letter. A file that ends inside a length or a
 * message ends with a {@code truncated-otlp} dead letter: with the framing lost, nothing after it
 * could be read.
 */
public final class OtlpProtoFileFormat extends SimpleStreamFormat<FileLine> {

    private static final int LENGTH_BYTES = 4;

    @Override
    public Reader<FileLine> createReader(Configuration config, FSDataInputStream stream) {
        return new Messages(stream);
    }

    @Override
    public TypeInformation<FileLine> getProducedType() {
        return TypeInformation.of(FileLine.class);
    }

    private static final class Messages implements Reader<FileLine> {
        private final InputStream in;
        private boolean ended;

        Messages(InputStream in) {
            this.in = in;
        }

        @Override
        public FileLine read() throws IOException {
            if (ended) {
                return null;
            }
            byte[] prefix = in.readNBytes(LENGTH_BYTES);
            if (prefix.length == 0) {
                ended = true;
                return null;
            }
            if (prefix.length < LENGTH_BYTES) {
                return truncated("the file ends inside a length prefix (" + prefix.length + " of 4 bytes)", prefix, prefix.length);
            }
            long length = ((prefix[0] & 0xFFL) << 24) | ((prefix[1] & 0xFF) << 16) | ((prefix[2] & 0xFF) << 8) | (prefix[3] & 0xFF);
            if (length > OtlpParser.MAX_REQUEST_BYTES) {
                byte[] head = in.readNBytes(DeadLetter.MAX_RAW_BINARY_BYTES);
                long skipped = head.length + skip(length - head.length);
                if (skipped < length) {
                    return truncated("a length prefix of " + length + " bytes (over the limit of "
                            + OtlpParser.MAX_REQUEST_BYTES + "), but only " + skipped + " follow", head, skipped);
                }
                return FileLine.unreadable(OtlpParser.tooLarge(length, head, head.length, false));
            }
            byte[] message = in.readNBytes((int) length);
            if (message.length < length) {
                return truncated("a length prefix of " + length + " bytes, but only " + message.length + " follow",
                        message, message.length);
            }
            return FileLine.of(message);
        }

        /** Skips up to {@code count} bytes without holding them; returns how many there were. */
        private long skip(long count) throws IOException {
            long skipped = 0;
            byte[] discard = new byte[8192];
            while (skipped < count) {
                int read = in.read(discard, 0, (int) Math.min(discard.length, count - skipped));
                if (read < 0) {
                    break;
                }
                skipped += read;
            }
            return skipped;
        }

        private FileLine truncated(String detail, byte[] head, long length) {
            ended = true;
            return FileLine.unreadable(DeadLetter.ofBinary(OtlpParser.TRUNCATED, detail, head, length));
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
