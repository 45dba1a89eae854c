package io.tracestitch.jobs;

import io.tracestitch.config.StitchOptions;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a hostile user meets it: every mistake is exit code 2 with one line and the
 * command's usage, an unreadable input or a failed job is exit code 1 with one line, nothing the
 * run writes can destroy or later be read as its input, and no stack trace ever reaches stderr.
 * Most cases are refused before a MiniCluster starts; the few that run the job use tiny inputs.
 */
class TraceStitchCliTest {

    private static final String SPAN = "{\"type\":\"span\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"startMs\":1,\"endMs\":2}\n";

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) throws Exception {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = TraceStitch.run(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit code 2: one line naming the problem, then the usage of the command that was mistaken. */
    private static void assertUsageError(Result result, String... problem) {
        assertThat(result.code()).as(result.err()).isEqualTo(2);
        List<String> lines = result.err().lines().toList();
        assertThat(lines.get(0)).startsWith("tracestitch: ").contains(problem);
        assertThat(lines.get(1)).startsWith("Usage: tracestitch");
        assertNoStackTrace(result);
    }

    /** Exit code 1: one line naming the cause, no usage. */
    private static void assertFailure(Result result, String... cause) {
        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.err().lines()).singleElement().asString().startsWith("tracestitch: ").contains(cause);
    }

    private static void assertNoStackTrace(Result result) {
        assertThat(result.err()).doesNotContain("\tat ", "Exception in", "Caused by");
    }

    private Path input() throws IOException {
        return Files.writeString(dir.resolve("in.ndjson"), SPAN);
    }

    private Result stitch(Path input, Path output, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("stitch", "--input", input.toString(), "--output", output.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    /** The same file as a path relative to the working directory (the tests run in the project). */
    private static Path relative(Path path) {
        return Path.of("").toAbsolutePath().relativize(path);
    }

    private static boolean cannotOpen(Path file) {
        try {
            Files.newByteChannel(file).close();
            return false;
        } catch (IOException denied) {
            return true;
        }
    }

    // 1. Output can destroy input.

    @Test
    void anOutputThatIsTheInputUnderAnySpellingIsRefusedAndTheInputKept() throws Exception {
        Path input = input();
        Files.createDirectories(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link.ndjson"), input);
        Files.createLink(dir.resolve("hard.ndjson"), input);
        for (Path sameFile : List.of(input, relative(input), Path.of(dir + "/./in.ndjson"), dir.resolve("sub/../in.ndjson"),
                dir.resolve("link.ndjson"), dir.resolve("hard.ndjson"))) {
            assertUsageError(stitch(input, sameFile), "--output " + sameFile + " is the input");
            assertUsageError(stitch(input, dir.resolve("out.ndjson"), "--dead-letter", sameFile.toString()),
                    "--dead-letter " + sameFile + " is the input");
            assertThat(input).hasContent(SPAN.strip());
        }
        assertThat(dir.resolve("out.ndjson")).doesNotExist();
    }

    @Test
    void outputAndDeadLetterInOneFileAreRefused() throws Exception {
        Path output = dir.resolve("out.ndjson");
        assertUsageError(stitch(input(), output, "--dead-letter", output.toString()), "are the same file");
        assertUsageError(stitch(input(), output, "--dead-letter", relative(output).toString()), "are the same file");
        Files.writeString(output, "kept");
        Files.createSymbolicLink(dir.resolve("alias.ndjson"), output);
        assertUsageError(stitch(input(), output, "--dead-letter", dir.resolve("alias.ndjson").toString()),
                "are the same file");
        assertThat(output).hasContent("kept");
    }

    @Test
    void anOutputInAnInputDirectoryOrThatIsOneIsRefused() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("inputs"));
        Files.writeString(inputs.resolve("a.ndjson"), SPAN);
        Path linkToInputs = Files.createSymbolicLink(dir.resolve("inputs-link"), inputs);
        for (Path input : List.of(inputs, linkToInputs, relative(inputs))) {
            for (Path output : List.of(inputs.resolve("out.ndjson"), linkToInputs.resolve("out.ndjson"))) {
                assertUsageError(stitch(input, output), "lies in the input directory");
            }
            assertUsageError(stitch(input, inputs), "--output " + inputs + " is a directory");
            assertUsageError(stitch(input, dir.resolve("out.ndjson"), "--dead-letter", inputs.resolve("a.ndjson").toString()),
                    "is the input");
        }
        assertThat(inputs.resolve("out.ndjson")).doesNotExist();
        assertThat(inputs.resolve("a.ndjson")).hasContent(SPAN.strip());
    }

    @Test
    void theSameInputTwiceOrAnEmptyInputPathIsRefused() throws Exception {
        Path input = input();
        Files.createLink(dir.resolve("hard.ndjson"), input);
        Path output = dir.resolve("out").resolve("o.ndjson");
        Files.createDirectories(output.getParent());
        assertUsageError(run("stitch", "--input", "", "--output", output.toString()), "--input is an empty path");
        for (Path again : List.of(input, relative(input), dir.resolve("hard.ndjson"), dir)) {
            assertUsageError(run("stitch", "--input", input.toString(), "--input", again.toString(), "--output",
                    output.toString()), "are the same file; give each input once");
        }
    }

    // 2. Where the output cannot be written.

    @Test
    void anOutputThatCannotBeWrittenIsAUsageError() throws Exception {
        Path input = input();
        assertUsageError(stitch(input, dir.resolve("missing/out.ndjson")), dir.resolve("missing") + " does not exist");
        assertUsageError(stitch(input, dir), "is a directory");
        assertUsageError(stitch(input, input.resolve("out.ndjson")), input + " is not a directory");
        assertUsageError(stitch(input, Path.of("-")), "standard output is not supported");
        assertUsageError(stitch(input, dir.resolve("n".repeat(300))), "cannot create --output", "File name too long");
        Files.createSymbolicLink(dir.resolve("dangling.ndjson"), dir.resolve("nowhere.ndjson"));
        assertUsageError(stitch(input, dir.resolve("dangling.ndjson")), "broken symbolic link");
        assertThat(dir.resolve("nowhere.ndjson")).doesNotExist();
    }

    @Test
    void anOutputInAnUnwritableDirectoryIsAUsageError() throws Exception {
        Path readOnly = Files.createDirectories(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, Set.of());
        Path output = readOnly.resolve("out.ndjson");
        if (Files.isWritable(readOnly)) { // root writes anyway; the kernel's sysctl tree refuses even root
            output = Path.of("/proc/sys/vm/tracestitch-out.ndjson");
            assumeTrue(Files.isDirectory(output.getParent()), "no directory here that even root cannot write");
        }
        assertUsageError(stitch(input(), output), "cannot create --output " + output);
    }

    @Test
    void anExistingOutputThatCannotBeWrittenIsAUsageError() throws Exception {
        Path output = Files.writeString(dir.resolve("out.ndjson"), "kept");
        Files.setPosixFilePermissions(output, Set.of());
        if (Files.isWritable(output)) {
            output = Path.of("/proc/sys/kernel/osrelease");
            assumeTrue(Files.exists(output) && !Files.isWritable(output), "no file here that even root cannot write");
        }
        assertUsageError(stitch(input(), output), "cannot write --output " + output, "permission denied");
    }

    // 3. Parallelism.

    @Test
    void parallelismOutsideTheEmbeddedClustersRangeIsAUsageError() throws Exception {
        for (String parallelism : List.of("0", "-1", "9", "12", "64", "5000", "x", "1.5", "", "99999999999")) {
            assertUsageError(stitch(input(), dir.resolve("out.ndjson"), "--parallelism", parallelism), "--parallelism");
            assertUsageError(run("bench", "--input", input().toString(), "--parallelism", parallelism), "--parallelism");
        }
        assertThat(dir.resolve("out.ndjson")).doesNotExist();
    }

    @Test
    void theHighestAcceptedParallelismRuns() throws Exception {
        Result result = stitch(input(), dir.resolve("out.ndjson"), "--parallelism", String.valueOf(StitchRun.MAX_PARALLELISM));
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("parallelism " + StitchRun.MAX_PARALLELISM, "transactionsOut    1");
    }

    // 4. Inputs that cannot be read.

    @Test
    void anInputThatIsMissingOrNotAFileFailsWithOneLine() throws Exception {
        Path output = dir.resolve("out.ndjson");
        assertFailure(stitch(dir.resolve("missing.ndjson"), output), "input " + dir.resolve("missing.ndjson") + " does not exist");
        assertFailure(stitch(Path.of("/dev/null"), output), "neither a file nor a directory");
        Files.createSymbolicLink(dir.resolve("dangling.ndjson"), dir.resolve("nowhere.ndjson"));
        assertFailure(stitch(dir.resolve("dangling.ndjson"), output), "broken symbolic link");
        assertFailure(run("bench", "--input", dir.resolve("missing.ndjson").toString()), "does not exist");
        assertThat(output).doesNotExist();
    }

    @Test
    void anUnreadableFileInAnInputDirectoryFailsBeforeTheJobStarts() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("inputs"));
        Files.writeString(inputs.resolve("a.ndjson"), SPAN);
        Path unreadable = Files.writeString(inputs.resolve("b.ndjson"), SPAN);
        Files.setPosixFilePermissions(unreadable, Set.of());
        if (!cannotOpen(unreadable)) { // root reads a file of mode 000; a write-only sysctl refuses even root
            Path denied = Path.of("/proc/sys/vm/compact_memory");
            assumeTrue(Files.exists(denied) && cannotOpen(denied), "no file here that even root cannot read");
            Files.delete(unreadable);
            Files.createSymbolicLink(unreadable, denied);
        }
        Path output = dir.resolve("out.ndjson");
        assertFailure(stitch(inputs, output), "cannot read input " + unreadable, "permission denied");
        assertThat(output).doesNotExist();
    }

    @Test
    void anInputDirectoryWithoutFilesIsAnEmptyInput() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(empty.resolve("sub-directories-are-not-read"));
        Path output = Files.writeString(dir.resolve("out.ndjson"), "an earlier run");
        Path deadLetters = dir.resolve("dead.ndjson");
        Result result = stitch(empty, output, "--dead-letter", deadLetters.toString());
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("0 input files");
        assertThat(output).isEmptyFile();
        assertThat(deadLetters).isEmptyFile();
    }

    // 5. Values of the stitching options.

    @Test
    void everyDurationNeedsAUnit() throws Exception {
        List<ConfigOption<?>> durations = StitchOptions.ALL.stream()
                .filter(option -> StitchOptions.kindOf(option) == StitchOptions.ValueKind.DURATION).toList();
        assertThat(durations).extracting(ConfigOption::key)
                .containsExactlyInAnyOrder("gap", "max-hop-delay", "out-of-orderness", "horizon");
        for (ConfigOption<?> duration : durations) {
            assertUsageError(stitch(input(), dir.resolve("out.ndjson"), "--" + duration.key(), "5"),
                    duration.key() + ": '5' has no unit", "5s", "ms, s, m or min, h, d");
        }
    }

    @Test
    void badValuesAreUsageErrorsOfOneLine() throws Exception {
        String[][] cases = {
                {"--max-spans", "0", "max-spans must be at least 1, got 0"},
                {"--max-spans", "-1", "max-spans must be at least 1, got -1"},
                {"--max-spans", "1e9", "max-spans: '1e9' is not a whole number"},
                {"--max-spans", "99999999999", "is not a whole number"},
                {"--max-sides-per-key", "0", "max-sides-per-key must be at least 1"},
                {"--include-spans", "yes", "include-spans: 'yes' is not true or false"},
                {"--gap", "0s", "gap must be from 1ms"},
                {"--gap", "soon", "gap: 'soon' is not a duration"},
                {"--gap", "1.5s", "is not a duration"},
                {"--gap", "1000000000d", "gap must be from 1ms to 36500d"},
                {"--gap", "99999999999999999999d", "is not a duration"},
                {"--max-hop-delay", "-5s", "-5s"},
                {"--horizon", "1m", "horizon must be at least gap + out-of-orderness + max-hop-delay = 340s, got 1min"},
                {"--gap", "9".repeat(100_000) + "s", "gap: '999"},
        };
        for (String[] badCase : cases) {
            Result result = stitch(input(), dir.resolve("out.ndjson"), badCase[0], badCase[1]);
            assertUsageError(result, badCase[2]);
            assertThat(result.err().lines().findFirst().orElseThrow()).hasSizeLessThan(200);
        }
        assertThat(dir.resolve("out.ndjson")).doesNotExist();
    }

    // 6. Parsing, for every command.

    @Test
    void everyOptionWithoutItsValueIsAUsageError() throws Exception {
        List<String> stitchOptions = new ArrayList<>(List.of("--input", "--output", "--dead-letter", "--parallelism"));
        StitchOptions.ALL.forEach(option -> stitchOptions.add("--" + option.key()));
        for (String option : stitchOptions) {
            assertUsageError(run("stitch", "--input", input().toString(), "--output", "o.ndjson", option),
                    "missing required parameter for option '" + option + "'");
        }
        for (String option : List.of("--requests", "--seed", "--out")) {
            assertUsageError(run("demo", option), "missing required parameter for option '" + option + "'");
        }
        for (String option : List.of("--input", "--parallelism", "--rounds")) {
            assertUsageError(run("bench", option), "missing required parameter for option '" + option + "'");
        }
        assertUsageError(run("demo", "--requests", "--seed", "1"), "expected parameter for option '--requests'");
    }

    @Test
    void unknownOptionsRepeatedOptionsAndStrayArgumentsAreUsageErrors() throws Exception {
        String in = input().toString();
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "--gpa", "5s"),
                "unknown option", "--gpa", "did you mean --gap?");
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "--gap", "5s", "--gap", "6s"),
                "'--gap'", "only once");
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "--output", "p.ndjson"), "only once");
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "--no-spans", "--no-spans"), "only once");
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "--no-spans", "--include-spans", "true"),
                "--no-spans and --include-spans");
        assertUsageError(run("stitch", "--input", in, "--output", "o.ndjson", "extra.ndjson"), "'extra.ndjson'");
        assertUsageError(run("stitch", "--input", in, "--output", "--gap", "5s"), "expected parameter for option '--output'");
        assertUsageError(run("stitch", "--input", in), "missing required option", "--output");
        assertUsageError(run("stitch", "--output", "o.ndjson"), "missing required option", "--input");
        assertUsageError(run("demo", "--bogus", "1"), "unknown option", "--bogus");
        assertUsageError(run("demo", "--seed", "1", "--seed", "2"), "only once");
        assertUsageError(run("demo", "--requests", "0"), "--requests", "must be at least 1");
        assertUsageError(run("demo", "--seed", "x"), "--seed");
        assertUsageError(run("demo", "--out", in), "--out " + in + " is not a directory");
        assertUsageError(run("demo", "stray"), "'stray'");
        assertUsageError(run("bench", "--input", in, "--bogus"), "unknown option", "--bogus");
        assertUsageError(run("bench"), "missing required option", "--input");
        assertUsageError(run("bench", "--input", in, "--memory", "--memory"), "only once");
        assertUsageError(run("bench", "--input", in, "--memory", "--rounds", "2"), "--rounds has no effect with --memory");
        assertUsageError(run("bench", "--input", dir.toString()), "is a directory");
        assertUsageError(run("bench", "--input", in, "--rounds", "0"), "--rounds");
        assertUsageError(run(), "a command is needed");
        assertUsageError(run("frobnicate"), "unknown command 'frobnicate'");
        assertThat(Path.of("o.ndjson")).doesNotExist();
    }

    @Test
    void anAtSignIsPartOfAPathNotAFileOfMoreArguments() throws Exception {
        Path arguments = Files.writeString(dir.resolve("arguments"), "--help\n");
        assertFailure(stitch(Path.of("@" + arguments), dir.resolve("out.ndjson")), "input @" + arguments + " does not exist");
    }

    @Test
    void helpGoesToStdoutWithExitCodeZero() throws Exception {
        for (String[] help : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"},
                new String[] {"stitch", "--help"}, new String[] {"help", "stitch"}, new String[] {"demo", "-h"},
                new String[] {"bench", "--help"}, new String[] {"simulate", "--help"}, new String[] {"run", "--help"},
                new String[] {"help", "run"})) {
            Result result = run(help);
            assertThat(result.code()).isZero();
            assertThat(result.err()).isEmpty();
            assertThat(result.out()).startsWith("Usage: tracestitch");
        }
        String stitchHelp = run("stitch", "--help").out();
        StitchOptions.ALL.forEach(option -> assertThat(stitchHelp).contains("--" + option.key(),
                "Default: " + StitchOptions.defaultText(option)));
        assertThat(run("--help").out()).contains("stitch", "demo", "bench", "simulate", "run");
        assertThat(run("run", "--help").out()).contains("--config", "--set", "--dry-run", "Precedence");
    }

    @Test
    void simulateWritesTheSimulatorsLinesAndRefusesBadRates() throws Exception {
        Path out = dir.resolve("world.ndjson");
        Result result = run("simulate", "--requests", "3", "--seed", "5", "--order", "late", "--duplicates", "0.2",
                "--out", out.toString());
        assertThat(result.code()).as(result.err()).isZero();
        ShopSimulator.Options same = ShopSimulator.Options.defaults().withRequestsPerTenant(3).withSeed(5)
                .withOrder(ShopSimulator.Order.LATE).withDuplicateRate(0.2);
        assertThat(Files.readAllLines(out)).isEqualTo(new ShopSimulator(same).lines());
        assertThat(run("simulate", "--duplicates", "1.5").code()).isEqualTo(2);
        assertThat(run("simulate", "--order", "random").err()).contains("--order must be sorted, late or shuffled");
        assertThat(run("simulate", "--out", dir.toString()).code()).isEqualTo(2);
    }

    // 7. run: only its configuration exists so far.

    private static final String RUN_CONFIG = """
            kafka:
              bootstrap-servers: broker:9092
              properties:
                sasl.jaas.config: 'PlainLoginModule required username="u" password="s3cr3t-Hunter2";'
            input.kafka: {topics: spans, group-id: tracestitch}
            output.kafka: {topic: transactions, dead-letter-topic: dead-letters}
            """;

    private Path runConfig() throws IOException {
        return Files.writeString(dir.resolve("run.yaml"), RUN_CONFIG);
    }

    @Test
    void runDryRunPrintsTheEffectiveConfigurationWithSecretsRedacted() throws Exception {
        Path config = runConfig();
        Result result = run("run", "--config", config.toString(), "--set", "gap=10s", "--set",
                "kafka.properties.ssl.key.password=s3cr3t-Hunter2", "--dry-run");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("tracestitch: run: the configuration is valid (dry run: nothing started)");
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("gap += 10s +\\(--set\\)"))
                .anySatisfy(line -> assertThat(line).matches("output\\.kafka\\.topic += transactions +\\(file " + config + "\\)"))
                .anySatisfy(line -> assertThat(line).matches("kafka\\.properties\\.sasl\\.jaas\\.config += \\(redacted\\) +\\(file .*"))
                .anySatisfy(line -> assertThat(line).matches("kafka\\.properties\\.ssl\\.key\\.password += \\(redacted\\) +\\(--set\\)"))
                .anySatisfy(line -> assertThat(line).matches("horizon += 1h +\\(default\\)"));
        assertThat(result.out()).doesNotContain("s3cr3t-Hunter2");
    }

    @Test
    void runRefusesABadConfigurationWithOneLineNamingTheKeyAndItsSource() throws Exception {
        Path config = runConfig();
        String file = config.toString();
        assertUsageError(run("run", "--config", file, "--set", "input.kafka.start=newest", "--dry-run"),
                "input.kafka.start: 'newest' is not earliest, latest or committed (from --set)");
        assertUsageError(run("run", "--config", file, "--set", "checkpoint.interval=10"),
                "checkpoint.interval: '10' has no unit; write e.g. 10s");
        assertUsageError(run("run", "--config", file, "--set", "gpa=5s"), "unknown key 'gpa' (from --set; did you mean gap?)");
        assertUsageError(run("run", "--config", file, "--set", "gap"), "--set 'gap' is not key=value");
        assertUsageError(run("run", "--config", file, "--set", "gap=5s", "--set", "gap=6s"), "gap is given twice with --set");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), RUN_CONFIG + "max-spans: 0\n");
        assertUsageError(run("run", "--config", typo.toString(), "--dry-run"), "max-spans must be at least 1, got 0 (in " + typo + ")");
        Path noOutput = Files.writeString(dir.resolve("no-output.properties"), "kafka.bootstrap-servers=b:1\ninput.kafka.topics=t\n");
        assertUsageError(run("run", "--config", noOutput.toString()), "output.kafka.topic is required");
        assertUsageError(run("run", "--config", dir.resolve("missing.yaml").toString()), "--config " + dir.resolve("missing.yaml")
                + " does not exist");
        Path malformed = Files.writeString(dir.resolve("malformed.yaml"), "gap: \"5s\n");
        assertUsageError(run("run", "--config", malformed.toString()), "--config " + malformed + " is not valid YAML");
        assertUsageError(run("run", "--config", dir.toString()), "is a directory");
        assertUsageError(run("run"), "missing required option", "--config");
        assertUsageError(run("run", "--config"), "missing required parameter for option '--config'");
        assertUsageError(run("run", "--config", file, "--set"), "missing required parameter for option '--set'");
        assertUsageError(run("run", "--config", file, "--dry-run", "--dry-run"), "only once");
        assertUsageError(run("run", "--config", file, "--gap", "5s"), "unknown option", "--gap");
    }

    @Test
    void runNeverEchoesASecretEvenFromAMistypedArgument() throws Exception {
        String file = runConfig().toString();
        for (String[] args : List.of(
                new String[] {"run", "--config", file, "kafka.properties.ssl.key.password=s3cr3t-Hunter2"},
                new String[] {"run", "--config", file, "--set", "kafka.properties.ssl.key.password:s3cr3t-Hunter2"},
                new String[] {"run", "--config", file, "--set", "kafka.properties.bootstrap.servers=s3cr3t-Hunter2"},
                new String[] {"run", "--config", file, "--set", "kafka.properties.x=s3cr3t-Hunter2", "--set", "gap=5"})) {
            Result result = run(args);
            assertUsageError(result, "tracestitch: ");
            assertThat(result.out() + result.err()).doesNotContain("s3cr3t-Hunter2");
        }
    }

    // Runs of the job.

    /** An OTLP/JSON request of one span, as the Collector's file exporter writes a line. */
    private static final String OTLP_SPAN = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":"
            + "\"service.name\",\"value\":{\"stringValue\":\"api\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"GET /\",\"kind\":2,"
            + "\"startTimeUnixNano\":\"1732400010000000000\",\"endTimeUnixNano\":\"1732400010100000000\"}]}]}]}\n";

    @Test
    void otlpInAndOutThroughTheCommandLine() throws Exception {
        Path spans = Files.writeString(dir.resolve("spans.jsonl"), OTLP_SPAN);
        Path output = dir.resolve("out.ndjson");
        Path traces = dir.resolve("traces.jsonl");
        Result result = run("stitch", "--otlp", spans.toString(), "--output", output.toString(),
                "--otlp-output", traces.toString(), "--parallelism", "1");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("tracestitch: 1 input files", "OTLP -> " + traces);
        assertThat(Files.readAllLines(output)).singleElement().asString()
                .contains("\"traceIds\":[\"5b8efff798038103d269b633813fc60c\"]", "\"service\":\"api\"");
        List<String> lines = Files.readAllLines(traces);
        assertThat(lines).isNotEmpty();
        assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"resourceSpans\""));
        assertThat(String.join("\n", lines)).contains("\"spanId\":\"eee19b7ec3c1b174\"", "\"name\":\"GET /\"");
    }

    @Test
    void otlpOptionsRefuseWhatCannotWork() throws Exception {
        Path spans = Files.writeString(dir.resolve("spans.jsonl"), OTLP_SPAN);
        Path output = dir.resolve("out.ndjson");
        assertUsageError(run("stitch", "--output", output.toString()), "'--input=<file|dir>' or '--otlp=<file|dir>'");
        assertUsageError(run("stitch", "--otlp", spans.toString(), "--output", output.toString(),
                "--otlp-output", output.toString()), "are the same file");
        assertUsageError(run("stitch", "--otlp", spans.toString(), "--output", output.toString(),
                "--otlp-output", spans.toString()), "--otlp-output " + spans + " is the input");
        assertUsageError(run("stitch", "--otlp", spans.toString(), "--output", output.toString(),
                "--otlp-output", dir.resolve("t.jsonl").toString(), "--no-spans"), "--otlp-output needs the spans");
        assertUsageError(run("stitch", "--otlp", spans.toString(), "--output", output.toString(),
                "--otlp-tenant-attribute", " "), "--otlp-tenant-attribute must name an attribute");
        assertThat(spans).hasContent(OTLP_SPAN.strip());
        assertThat(output).doesNotExist();
    }

    @Test
    void badLinesAreNotAFailure() throws Exception {
        Path input = Files.writeString(dir.resolve("in.ndjson"), "not json\n{\"type\":\"span\"}\n");
        Path deadLetters = dir.resolve("dead.ndjson");
        Result result = stitch(input, dir.resolve("out.ndjson"), "--dead-letter", deadLetters.toString(), "--gap", "5s",
                "--parallelism", "1");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(Files.readAllLines(deadLetters)).hasSize(2);
        assertThat(dir.resolve("out.ndjson")).isEmptyFile();
    }

    /**
     * Spaces and non-ASCII in names, a symlinked input directory named relative to the working
     * directory, the output in a sub-directory of the input directory (not read: the listing is not
     * recursive), and {@code --key=value}.
     */
    @Test
    void awkwardButValidPathsWork() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("spans und Logs ü 🧵"));
        Files.writeString(inputs.resolve("a b.ndjson"), SPAN);
        Path link = Files.createSymbolicLink(dir.resolve("link to inputs"), inputs);
        Path output = Files.createDirectories(inputs.resolve("out put")).resolve("transactions ✓.ndjson");
        Result result = run("stitch", "--input", relative(link).toString(), "--output=" + output,
                "--dead-letter", relative(inputs.resolve("out put/dead ✗.ndjson")).toString(), "--parallelism", "1",
                "--gap=5s", "--no-spans");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("1 input files", "transactionsOut    1");
        assertThat(Files.readString(output)).contains("\"traceIds\":[\"t1\"]").doesNotContain("\"spans\"");
        assertThat(inputs.resolve("out put/dead ✗.ndjson")).isEmptyFile();
        try (Stream<Path> listing = Files.list(inputs)) {
            assertThat(listing).hasSize(2); // a b.ndjson and out put/
        }
    }

    @Test
    void aFailingJobIsOneLineNamingTheCause() throws Exception {
        Path full = Path.of("/dev/full"); // every write fails with "No space left on device"
        assumeTrue(Files.isWritable(full), "no /dev/full here");
        Result result = stitch(input(), full, "--parallelism", "1");
        assertFailure(result, "stitch failed", "No space left on device");
    }
}
