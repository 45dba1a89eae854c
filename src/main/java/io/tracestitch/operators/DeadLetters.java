package io.tracestitch.operators;

import io.tracestitch.model.DeadLetter;

import org.apache.flink.util.OutputTag;

/** The one side output every operator sends unusable input to. */
public final class DeadLetters {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}
}
