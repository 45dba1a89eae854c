package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** An input line the job could not use, with why. {@code raw} is truncated to {@link #MAX_RAW_CHARS}. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record DeadLetter(String reason, String raw) {

    public static final int MAX_RAW_CHARS = 2048;

    public static DeadLetter of(String reason, String raw) {
        String kept = raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw;
        return new DeadLetter(reason, kept);
    }
}
