package io.tracestitch.jobs.tools.simulator;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The world's one stream of random draws, with the shapes the simulator needs (ranges, ids, picks).
 * Every draw shifts all later ones: a seed gives the same world only while the draws happen in the
 * same order, so moving a draw changes the output.
 */
final class RandomStream {

    private final SplittableRandom rnd;

    RandomStream(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    double nextDouble() {
        return rnd.nextDouble();
    }

    boolean nextBoolean() {
        return rnd.nextBoolean();
    }

    int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    long nextLong(long bound) {
        return rnd.nextLong(bound);
    }

    /** True with probability p. */
    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    /** Uniform in [lo, hi]. */
    long between(long lo, long hi) {
        return lo + rnd.nextLong(hi - lo + 1);
    }

    /** Exponentially distributed with the given mean: the gaps between Poisson arrivals. */
    long exponential(long mean) {
        return (long) (-Math.log(1 - rnd.nextDouble()) * mean);
    }

    <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    <T> T pick(T[] array) {
        return array[rnd.nextInt(array.length)];
    }

    void shuffle(List<?> list) {
        Collections.shuffle(list, new Random(rnd.nextLong()));
    }

    /** A span id. */
    String hex16() {
        char[] c = new char[16];
        Render.hex(rnd.nextLong(), c, 0, 16);
        return new String(c);
    }

    /** A trace id. */
    String hex32() {
        char[] c = new char[32];
        Render.hex(rnd.nextLong(), c, 0, 16);
        Render.hex(rnd.nextLong(), c, 16, 16);
        return new String(c);
    }

    String uuid() {
        char[] c = new char[36];
        long hi = rnd.nextLong();
        long lo = rnd.nextLong();
        Render.hex(hi >>> 32, c, 0, 8);
        c[8] = '-';
        Render.hex(hi >>> 16, c, 9, 4);
        c[13] = '-';
        Render.hex(hi, c, 14, 4);
        c[18] = '-';
        Render.hex(lo >>> 48, c, 19, 4);
        c[23] = '-';
        Render.hex(lo, c, 24, 12);
        return new String(c);
    }

    /** 28 decimal digits, as in the tail of a CloudWatch log event id. */
    String digits28() {
        StringBuilder sb = new StringBuilder(28);
        Render.zeroPadded(sb, rnd.nextLong(100_000_000_000_000L), 14);
        Render.zeroPadded(sb, rnd.nextLong(100_000_000_000_000L), 14);
        return sb.toString();
    }
}
