package io.tracestitch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The changelog checker on hand-written outputs: what the job may write, and each rule broken once. */
class ChangelogTest {

    @TempDir
    Path dir;

    private Path output(String lines) throws Exception {
        return Files.writeString(dir.resolve("transactions.ndjson"), lines);
    }

    @Test
    void mergesSplitsAndRenamedUpstreamsAreValid() throws Exception {
        Path output = output("""
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-b","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-x","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-d","revision":1,"supersedes":[],"upstreamTransactions":["tx-b","tx-x"]}

                {"tenant":"t1","transactionId":"tx-a","revision":2,"supersedes":["tx-b"],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-d","revision":2,"supersedes":[],"upstreamTransactions":["tx-a","tx-x"]}
                {"tenant":"t1","transactionId":"tx-a","revision":5,"supersedes":["tx-b"],"upstreamTransactions":[]}
                {"tenant":"t2","transactionId":"tx-b","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t2","transactionId":"tx-e","revision":1,"supersedes":[],"upstreamTransactions":["tx-b","tx-y"]}
                """);

        assertThat(Changelog.violations(output)).as("ids are per tenant; revisions may skip numbers").isEmpty();
    }

    @Test
    void aLineForAnIdAfterItWasSupersededIsAViolation() throws Exception {
        Path output = output("""
                {"tenant":"t1","transactionId":"tx-b","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":["tx-b"],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-b","revision":2,"supersedes":[],"upstreamTransactions":[]}
                """);

        assertThat(Changelog.violations(output)).containsExactly("line 3: tx-b revision 2 written after it was superseded");
    }

    @Test
    void revisionsOfOneIdThatDoNotIncreaseAreViolations() throws Exception {
        Path output = output("""
                {"tenant":"t1","transactionId":"tx-a","revision":2,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":[],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":[],"upstreamTransactions":[]}
                """);

        assertThat(Changelog.violations(output)).containsExactly(
                "line 2: tx-a revision 1 after revision 2", "line 3: tx-a revision 1 after revision 1");
    }

    @Test
    void anUpstreamThatIsAlreadySupersededIsAViolation() throws Exception {
        Path output = output("""
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":["tx-b"],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-d","revision":1,"supersedes":[],"upstreamTransactions":["tx-b","tx-x"]}
                """);

        assertThat(Changelog.violations(output)).containsExactly("line 2: tx-d revision 1 names the superseded upstream tx-b");
    }

    @Test
    void assertValidFailsWithTheLineNumbers() throws Exception {
        Path output = output("""
                {"tenant":"t1","transactionId":"tx-a","revision":1,"supersedes":["tx-b"],"upstreamTransactions":[]}
                {"tenant":"t1","transactionId":"tx-b","revision":1,"supersedes":[],"upstreamTransactions":[]}
                """);

        assertThatThrownBy(() -> Changelog.assertValid(output)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("breaks the changelog rules (1 violations)")
                .hasMessageContaining("line 2: tx-b revision 1 written after it was superseded");
    }
}
