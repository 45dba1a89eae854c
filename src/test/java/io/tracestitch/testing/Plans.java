package io.tracestitch.testing;

import static io.tracestitch.testing.Spans.TENANT;

import io.tracestitch.model.Invocation;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TransactionPlan;
import java.util.Arrays;

/** Transaction plans, their members' content, and a short form of a plan for assertions. */
public final class Plans {

    private static final String[] NONE = {};
    private static final JoinKey[] NO_KEYS = {};
    /** When the spans of every member built here end. */
    private static final long SPANS_END_MS = 1_732_400_000_000L;

    private Plans() {}

    /** Plan {@code seq} of tenant {@link Spans#TENANT}: revision {@code revision} of {@code transactionId}. */
    public static Builder plan(long seq, String transactionId, int revision) {
        return new Builder(seq, transactionId, revision);
    }

    /** What member {@code traceId}'s content store sends for {@code plan}: a trace of one span. */
    public static MemberContent content(TransactionPlan plan, String traceId) {
        return new MemberContent(plan.tenant(), plan.seq(), plan.transactionId(), traceId,
                Spans.digestOfOneSpan(traceId, SPANS_END_MS), new Invocation[0]);
    }

    /** E.g. {@code "#3 tx-a r2 [a, b] supersedes [tx-b]"}: plan number, id, revision, members, supersedes. */
    public static String describe(TransactionPlan plan) {
        String text = "#" + plan.seq() + " " + plan.transactionId() + " r" + plan.revision() + " "
                + Arrays.toString(plan.members());
        return plan.supersedes().length == 0 ? text : text + " supersedes " + Arrays.toString(plan.supersedes());
    }

    public static final class Builder {
        private final long seq;
        private final String transactionId;
        private final int revision;
        private String tenant = TENANT;
        private String[] members = NONE;
        private String[] supersedes = NONE;
        private String[] upstream = NONE;

        private Builder(long seq, String transactionId, int revision) {
            this.seq = seq;
            this.transactionId = transactionId;
            this.revision = revision;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        public Builder members(String... traceIds) {
            this.members = traceIds;
            return this;
        }

        public Builder supersedes(String... transactionIds) {
            this.supersedes = transactionIds;
            return this;
        }

        public Builder upstream(String... transactionIds) {
            this.upstream = transactionIds;
            return this;
        }

        public TransactionPlan build() {
            return new TransactionPlan(tenant, seq, transactionId, revision, members, supersedes, upstream, NO_KEYS,
                    NONE, NO_KEYS);
        }
    }
}
