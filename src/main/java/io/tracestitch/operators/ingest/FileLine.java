package io.tracestitch.operators.ingest;

import io.tracestitch.model.CompactRecordSerializer;
import io.tracestitch.model.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One line of an input file: its UTF-8 bytes without the line end, or, when the line cannot be
 * handed on at all (over {@link RecordParser#MAX_LINE_BYTES}, or not decodable in the file's
 * encoding), the dead letter it becomes instead.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record FileLine(byte[] utf8, DeadLetter unreadable) {

    public static FileLine of(byte[] utf8) {
        return new FileLine(utf8, null);
    }

    public static FileLine unreadable(DeadLetter deadLetter) {
        return new FileLine(null, deadLetter);
    }
}
