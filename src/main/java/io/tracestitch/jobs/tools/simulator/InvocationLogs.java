package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import io.tracestitch.jobs.tools.simulator.Environments.Start;
import io.tracestitch.jobs.tools.simulator.Invocation.Outcome;
import io.tracestitch.jobs.tools.simulator.LambdaLogFormat.ReportFigures;

import java.util.ArrayList;
import java.util.List;

/** Which lines one invocation writes to its log stream, when, and in which of Lambda's two log formats. */
final class InvocationLogs {

    private static final String[] APP_MESSAGES = {"processing order", "fetched items", "cache miss for sku",
            "validated payload", "retrying downstream call"};

    private final double jsonLogRate;
    private final RandomStream rnd;
    private final LambdaLogFormat text = new TextLogFormat();
    private final LambdaLogFormat json = new JsonLogFormat();

    InvocationLogs(double jsonLogRate, RandomStream rnd) {
        this.jsonLogRate = jsonLogRate;
        this.rnd = rnd;
    }

    List<LogEvent> of(Invocation inv) {
        LambdaLogFormat format = rnd.chance(jsonLogRate) ? json : text;
        String function = inv.function();
        String requestId = inv.requestId();
        Start start = inv.placement().start();
        long startUs = inv.startUs();
        long endUs = inv.endUs();
        long initUs = start == Start.COLD ? rnd.between(150 * MS_US, 900 * MS_US) : 0;
        long restoreUs = start == Start.RESTORE ? rnd.between(50 * MS_US, 400 * MS_US) : 0;
        int memorySizeMb = Topology.memorySizeMb(function);
        int maxMemoryUsedMb = 60 + rnd.nextInt(Math.min(240, memorySizeMb - 60));
        List<LogEvent> events = new ArrayList<>(8);

        if (start != Start.WARM) {
            long initStartUs = startUs - (start == Start.COLD ? initUs : restoreUs);
            events.add(new LogEvent(initStartUs, null, format.initStart(initStartUs, function, start.initPhase, rnd)));
        }
        events.add(new LogEvent(startUs, requestId, format.start(startUs, requestId)));
        int appLines = rnd.nextInt(7);
        for (int i = 0; i < appLines; i++) {
            long at = startUs + rnd.between(0, Math.max(1, inv.durationUs() - 1));
            String message = rnd.pick(APP_MESSAGES) + " " + rnd.nextInt(100_000);
            events.add(new LogEvent(at, requestId, format.appLine(at, requestId, "INFO", message)));
        }
        if (inv.outcome() == Outcome.ERROR) {
            events.add(new LogEvent(endUs - 100, requestId,
                    format.appLine(endUs - 100, requestId, "ERROR", "Invoke Error: payment declined")));
        }
        long reportUs = endUs + rnd.between(200, 1500);
        format.end(inv, new ReportFigures(memorySizeMb, maxMemoryUsedMb, initUs, restoreUs), reportUs, rnd, events);
        return events;
    }
}
