package io.tracestitch.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The Flink MiniCluster that a test class shares across its tests. Register it as a
 * {@code static final} {@code @RegisterExtension} field: while a test runs,
 * {@code StreamExecutionEnvironment.getExecutionEnvironment(conf)} (what {@code StitchRun} calls)
 * returns an environment on this cluster, configured with the caller's {@code conf}.
 */
public final class MiniClusters {

    /** The highest parallelism a test runs the job at: a slot-sharing job needs one slot per parallel subtask. */
    public static final int SLOTS = 4;

    private MiniClusters() {}

    public static MiniClusterExtension shared() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(SLOTS)
                .build());
    }
}
