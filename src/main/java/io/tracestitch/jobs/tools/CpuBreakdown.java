package io.tracestitch.jobs.tools;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where the CPU of one benchmark run went: thread CPU time grouped by Flink task (subtasks of one
 * stage summed), JIT compilation and GC time, and the process total. Task threads live only as long
 * as their job, so a sampler reads every thread's CPU time every 50 ms and keeps the last reading
 * (a thread's final 50 ms may be missed).
 */
final class CpuBreakdown implements AutoCloseable {

    static final String PROCESS_TOTAL = "process total";

    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern HELPER = Pattern.compile("^(OutputFlusher|(System )?Time Trigger) for ");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> cpuNanos = new HashMap<>();
    private final Map<Long, Long> cpuAtStart = new HashMap<>();
    private final long processStart = os.getProcessCpuTime();
    private final long compileStart = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    private final long gcStart = gcMillis();
    private final Thread sampler;

    CpuBreakdown() {
        sample(cpuAtStart);
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                synchronized (this) {
                    sample(cpuNanos);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "cpu-breakdown-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample(Map<Long, Long> into) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                into.put(info.getThreadId(), cpu);
                names.putIfAbsent(info.getThreadId(), info.getThreadName());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        sampler.interrupt();
        sampler.join();
    }

    /** CPU seconds since construction: per stage (largest first), then JIT, GC and the process total. */
    synchronized Map<String, Double> seconds() {
        sample(cpuNanos);
        Map<String, Double> byStage = new TreeMap<>();
        cpuNanos.forEach((id, cpu) -> byStage.merge(stage(names.get(id)),
                (cpu - cpuAtStart.getOrDefault(id, 0L)) / 1e9, Double::sum));
        Map<String, Double> result = new LinkedHashMap<>();
        byStage.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> result.put(e.getKey(), e.getValue()));
        result.put("JIT compilation", (ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
                - compileStart) / 1e3);
        result.put("GC", (gcMillis() - gcStart) / 1e3);
        result.put(PROCESS_TOTAL, (os.getProcessCpuTime() - processStart) / 1e9);
        return result;
    }

    private static String stage(String thread) {
        if (thread.startsWith("Source Data Fetcher")) {
            return "file reader";
        }
        String task = SUBTASK.matcher(thread).replaceFirst("");
        if (task.equals(thread)) {
            return "other threads";
        }
        // A task's helper threads count for the task.
        return HELPER.matcher(task).replaceFirst("");
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    static String format(Map<String, Double> seconds) {
        StringBuilder text = new StringBuilder();
        seconds.forEach((name, s) -> text.append(String.format("    %6.2f s  %s%n", s, name)));
        return text.toString();
    }
}
