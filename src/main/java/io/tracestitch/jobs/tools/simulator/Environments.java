package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One account's Lambda execution environments per function. An invocation reuses a warm one, or gets a
 * new one by a cold start or a SnapStart restore; each environment writes its own log stream.
 */
final class Environments {

    private static final double COLD_START_RATE = 0.03;
    private static final int MAX_PER_FUNCTION = 6;
    private static final DateTimeFormatter LOG_STREAM_DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    record Environment(String id, String logStream) {}

    /** What a new environment logs before its first request. */
    record InitPhase(String textTag, String jsonType, String initializationType, String phase, String runtime) {}

    /** SnapStart restores Java snapshots, so restored environments run Java; cold starts here run Node.js. */
    enum Start {
        WARM(null),
        COLD(new InitPhase("INIT_START", "platform.initStart", "on-demand", "init", "nodejs:20.v33")),
        RESTORE(new InitPhase("RESTORE_START", "platform.restoreStart", "snap-start", "restore", "java:17.v30"));

        /** Null for WARM. */
        final InitPhase initPhase;

        Start(InitPhase initPhase) {
            this.initPhase = initPhase;
        }
    }

    record Placement(Environment environment, Start start) {}

    private final Map<String, List<Environment>> byFunction = new HashMap<>();

    Placement place(String function, long nowUs, double snapStartRate, RandomStream rnd) {
        List<Environment> warm = byFunction.computeIfAbsent(function, f -> new ArrayList<>());
        double r = rnd.nextDouble();
        if (!warm.isEmpty() && r >= COLD_START_RATE + snapStartRate) {
            return new Placement(warm.get(rnd.nextInt(warm.size())), Start.WARM);
        }
        String id = rnd.hex32();
        Environment created = new Environment(id,
                LOG_STREAM_DAY.format(Instant.ofEpochMilli(nowUs / MS_US)) + "/[$LATEST]" + id);
        warm.add(created);
        if (warm.size() > MAX_PER_FUNCTION) warm.remove(0);
        return new Placement(created, r < snapStartRate ? Start.RESTORE : Start.COLD);
    }
}
