package io.tracestitch.operators.output;

import io.tracestitch.operators.SpanCompression;

/**
 * Mutable Flink POJO: a plan's outcome that came before its turn. {@code line} is null for a skipped
 * plan; otherwise the line, deflate-compressed when {@code deflated} ({@code length} is then its
 * uncompressed length).
 */
public class HeldOutcome {
    public byte[] line;
    public boolean deflated;
    public int length;

    static HeldOutcome skipped() {
        return new HeldOutcome();
    }

    static HeldOutcome plain(byte[] line) {
        HeldOutcome held = new HeldOutcome();
        held.line = line;
        held.length = line.length;
        return held;
    }

    static HeldOutcome compressed(byte[] line) {
        HeldOutcome held = new HeldOutcome();
        held.line = SpanCompression.compress(line);
        held.deflated = true;
        held.length = line.length;
        return held;
    }

    boolean isSkipped() {
        return line == null;
    }

    byte[] uncompressedLine() {
        return deflated ? SpanCompression.decompress(line, length) : line;
    }
}
