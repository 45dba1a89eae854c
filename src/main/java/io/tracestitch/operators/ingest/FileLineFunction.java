package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.Tally;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Between a file source and Parse: hands each line on as a UTF-8 record, and sends a line the file
 * format could not read to the dead letters, counted as Parse counts the lines it rejects.
 */
public final class FileLineFunction extends ProcessFunction<FileLine, byte[]> {

    private transient Tally recordsIn;
    private transient Tally deadLetters;

    @Override
    public void open(OpenContext context) {
        recordsIn = new Tally(getRuntimeContext(), "recordsIn");
        deadLetters = new Tally(getRuntimeContext(), "deadLetters");
    }

    @Override
    public void processElement(FileLine line, Context ctx, Collector<byte[]> out) {
        DeadLetter unreadable = line.unreadable();
        if (unreadable == null) {
            out.collect(line.utf8());
            return;
        }
        recordsIn.inc();
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, unreadable);
    }
}
