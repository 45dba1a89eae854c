package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.StitchRun;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A whole-number option with its accepted range, refused as it is read (a usage error). */
abstract class IntRange implements ITypeConverter<Integer> {

    private final int least;
    private final int most;
    private final String range;

    private IntRange(int least, int most) {
        this.least = least;
        this.most = most;
        this.range = most == Integer.MAX_VALUE ? "at least " + least : "from " + least + " to " + most;
    }

    @Override
    public Integer convert(String text) {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a whole number " + range);
        }
        if (value < least || value > most) {
            throw new TypeConversionException("must be " + range + ", got " + value);
        }
        return value;
    }

    /** Parallelism of a run on the embedded MiniCluster. */
    static final class Parallelism extends IntRange {
        Parallelism() {
            super(1, StitchRun.MAX_PARALLELISM);
        }
    }

    static final class Positive extends IntRange {
        Positive() {
            super(1, Integer.MAX_VALUE);
        }
    }
}
