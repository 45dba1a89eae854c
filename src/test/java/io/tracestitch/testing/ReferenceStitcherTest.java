package io.tracestitch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The oracle is only as good as its agreement with the independently computed sample answers. */
class ReferenceStitcherTest {

    @ParameterizedTest
    @ValueSource(strings = {"small", "late", "formats"})
    void reproducesTheSampleAnswers(String sample) throws Exception {
        List<FinalView.Expected> shipped = FinalView.expectedFile(sample(sample + ".expected.ndjson"));
        List<FinalView.Expected> computed = ReferenceStitcher.expected(
                Files.readAllLines(sample(sample + ".ndjson"), StandardCharsets.UTF_8));
        assertThat(canonical(computed, shipped)).isEqualTo(canonical(shipped, shipped));
    }

    /** Each transaction as one comparable line; {@code unmatched} only where the shipped answer has it. */
    private static TreeSet<String> canonical(List<FinalView.Expected> transactions, List<FinalView.Expected> shipped) {
        boolean withUnmatched = shipped.stream().allMatch(e -> e.unmatched() != null);
        TreeSet<String> out = new TreeSet<>();
        for (FinalView.Expected e : transactions) {
            TreeSet<String> upstream = new TreeSet<>();
            e.upstream().forEach(u -> upstream.add(String.join(",", new TreeSet<>(u))));
            out.add(e.tenant() + " " + new TreeSet<>(e.traces()) + " spans=" + e.spans() + " invocations="
                    + e.invocations() + " cold=" + e.coldStarts() + " timeouts=" + e.timeouts()
                    + (withUnmatched ? " unmatched=" + e.unmatched() : "") + " upstream=" + upstream);
        }
        return out;
    }

    private static Path sample(String name) throws Exception {
        return Path.of(ReferenceStitcherTest.class.getResource("/samples/" + name).toURI());
    }
}
