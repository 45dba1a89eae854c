package io.tracestitch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A local service that a test runs as a child process ({@link KafkaBroker}, {@link Kinesalite}). Its
 * standard output and error go to a log file; {@link #close()} kills the process and everything it
 * started. A shutdown hook does the same if a test never closes it. If the test JVM is killed so
 * hard that no hook runs, the service ends itself: each one watches its standard input, which only
 * this JVM holds open.
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(this::kill, "stop " + name);
    }

    static ServiceProcess start(String name, List<String> command, Path log) throws IOException {
        // Standard input stays a pipe that is never written: it ends when this JVM ends.
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ServiceProcess service = new ServiceProcess(name, process, log);
        Runtime.getRuntime().addShutdownHook(service.shutdownHook);
        return service;
    }

    /**
     * The command run by a shell that stops it when its standard input ends: the services here do
     * not read theirs, so the shell watches it for them and kills the command when the test JVM
     * died without closing the service.
     */
    static List<String> endingWithThisJvm(String name, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "exec 3<&0; \"$@\" & child=$!; (cat <&3 >/dev/null; kill $child 2>/dev/null) & wait $child", name));
        wrapped.addAll(command);
        return wrapped;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The process and its descendants, alive now. */
    List<ProcessHandle> tree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        return tree.stream().filter(ProcessHandle::isAlive).toList();
    }

    String logTail(int lines) {
        return tail(log, lines);
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** An error about this service that carries the end of its log, so a failed start explains itself. */
    IllegalStateException failure(String problem) {
        String state = process.isAlive() ? "still running" : "exited with code " + process.exitValue();
        return new IllegalStateException(name + ": " + problem + " (process " + state + "). Last lines of "
                + log + ":\n" + logTail(40));
    }

    /** Waits until something accepts connections on the port, or fails with the log's end. */
    void awaitPort(int port, long deadlineNanos) throws InterruptedException {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYetListening) {
                checkRunning(deadlineNanos, "port " + port + " not open");
                Thread.sleep(100);
            }
        }
    }

    /** Fails with the log's end if the process has exited or the deadline has passed. */
    void checkRunning(long deadlineNanos, String waitingFor) {
        if (!process.isAlive()) {
            throw failure("exited while starting, " + waitingFor);
        }
        if (System.nanoTime() > deadlineNanos) {
            throw failure("not ready in time, " + waitingFor);
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // close() called from another shutdown hook: ours runs anyway
        }
    }

    private void kill() {
        List<ProcessHandle> tree = tree();
        // Children first, so a parent that waits for them cannot start new ones.
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported below if still alive
            }
        }
        List<ProcessHandle> survivors = tree.stream().filter(ProcessHandle::isAlive).toList();
        if (!survivors.isEmpty()) {
            System.err.println(name + ": processes still alive after SIGKILL: " + survivors);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /** Runs a command to its end (output to the log file) and fails with the log's end unless it exits 0. */
    static void run(String what, List<String> command, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException(what + " did not finish within " + timeout + ". Log: " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + process.exitValue() + ": "
                    + String.join(" ", command) + "\nLast lines of " + log + ":\n" + tail(log, 40));
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
