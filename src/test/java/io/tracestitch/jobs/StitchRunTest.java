package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.testing.MiniClusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.ArchivedExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end tests rely on when they call {@link StitchRun#run} inside a test class with
 * {@link MiniClusters#shared()}: the job runs on that shared cluster, at parallelism 4, with the
 * settings StitchRun puts in its Configuration (among them {@code pipeline.generic-types: false}).
 */
class StitchRunTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    /** A type Flink can only serialize with Kryo: no public no-argument constructor, no public fields. */
    static final class OnlyKryoCanSerializeThis {
        private final int value;

        OnlyKryoCanSerializeThis(int value) {
            this.value = value;
        }
    }

    @Test
    void runsAtParallelism4OnTheSharedClusterWithItsOwnSettings(@InjectMiniCluster MiniCluster cluster,
            @TempDir Path dir) throws Exception {
        Set<JobID> before = jobIds(cluster);
        Path input = Files.writeString(dir.resolve("empty.ndjson"), "");
        StitchRun.run(StitchRun.Files.of(List.of(input), dir.resolve("out.ndjson"), null), StitchConfig.defaults(),
                MiniClusters.SLOTS);

        Set<JobID> ran = jobIds(cluster);
        ran.removeAll(before);
        assertThat(ran).as("the run is a job of the shared cluster").hasSize(1);
        JobID job = ran.iterator().next();
        assertThat(cluster.getJobStatus(job).get()).isEqualTo(JobStatus.FINISHED);
        ArchivedExecutionConfig config = cluster.getArchivedExecutionGraph(job).get().getArchivedExecutionConfig();
        assertThat(config.getParallelism()).isEqualTo(MiniClusters.SLOTS);
        // Object reuse is set in the same Configuration as generic-types: false, and only StitchRun sets it.
        assertThat(config.getObjectReuseEnabled()).as("StitchRun's Configuration reached the job").isTrue();
    }

    @Test
    void genericTypesOffInTheRunsConfigurationFailsAKryoTypeOnTheSharedCluster() {
        Configuration strict = new Configuration();
        strict.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(strict);
        assertThat(env).as("the shared cluster's environment").isInstanceOf(TestStreamEnvironment.class);

        assertThatThrownBy(() -> env.fromData(new OnlyKryoCanSerializeThis(1)).executeAndCollect(1))
                .hasMessageContaining("Generic types have been disabled");
    }

    private static Set<JobID> jobIds(MiniCluster cluster) throws Exception {
        Set<JobID> ids = new HashSet<>();
        for (JobStatusMessage job : cluster.listJobs().get()) {
            ids.add(job.getJobId());
        }
        return ids;
    }
}
