package io.tracestitch.jobs;

import io.tracestitch.testing.MiniClusters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The {@code stitch} command's exit codes and messages: a mistyped option must not be ignored. */
class TraceStitchCliTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureErrors() {
        originalErr = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErrors() {
        System.setErr(originalErr);
    }

    /** {@code stitch} on an empty input file, with these options added. */
    private int stitchEmptyInputWith(String option, String value) throws Exception {
        Path input = Files.writeString(dir.resolve("in.ndjson"), "");
        return TraceStitch.stitch(new String[] {
                "--input", input.toString(), "--output", dir.resolve("out").toString(), option, value});
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        assertThat(stitchEmptyInputWith("--gpa", "5s")).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("unknown option --gpa").contains("usage:");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void unreadableValueIsAUsageError() throws Exception {
        assertThat(stitchEmptyInputWith("--gap", "soon")).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("gap");
    }

    @Test
    void unknownCommandsAndOptionsOfTheOtherCommandsAreUsageErrors() throws Exception {
        assertThat(TraceStitch.run()).isEqualTo(2);
        assertThat(TraceStitch.run("frobnicate")).isEqualTo(2);
        assertThat(TraceStitch.run("demo", "--bogus", "1")).isEqualTo(2);
        assertThat(TraceStitch.run("bench", "--bogus")).isEqualTo(2);
        assertThat(TraceStitch.run("bench")).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("a command is needed")
                .contains("unknown command frobnicate").contains("unknown option --bogus");
    }

    @Test
    void missingOutputIsAUsageError() throws Exception {
        Path input = Files.writeString(dir.resolve("in.ndjson"), "");
        assertThat(TraceStitch.stitch(new String[] {"--input", input.toString()})).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("--output");
    }

    @Test
    void unreadableInputFails() throws Exception {
        int code = TraceStitch.stitch(new String[] {
                "--input", dir.resolve("missing.ndjson").toString(), "--output", dir.resolve("out").toString()});
        assertThat(code).isEqualTo(1);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("cannot read input");
    }

    @Test
    void badLinesAreNotAFailure() throws Exception {
        Path input = Files.writeString(dir.resolve("in.ndjson"), "not json\n{\"type\":\"span\"}\n");
        Path deadLetters = dir.resolve("dead.ndjson");
        int code = TraceStitch.stitch(new String[] {"--input", input.toString(), "--output",
                dir.resolve("out.ndjson").toString(), "--dead-letter", deadLetters.toString(), "--gap", "5s",
                "--parallelism", "1"});
        assertThat(code).isZero();
        assertThat(Files.readAllLines(deadLetters)).hasSize(2);
        assertThat(dir.resolve("out.ndjson")).isEmptyFile();
    }
}
