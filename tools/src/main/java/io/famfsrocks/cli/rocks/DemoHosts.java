package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A replica host of the demo: a child JVM running {@code demo-host} from the same jar (or
 * class path), with its own system UUID, driven by one command line at a time. Closing
 * asks it to quit, then SIGTERM, then SIGKILL. Not thread-safe: one thread drives it, except
 * {@link #terminate()}, which the demo's shutdown hook may call at any time.
 */
final class DemoHosts implements AutoCloseable {
    private final String name;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);

    private DemoHosts(String name, Process process) {
        this.name = name;
        this.process = process;
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.offer(l);
                }
            } catch (IOException ignored) {
                // the child is gone; take() reports it
            }
            lines.offer("EXIT");
        }, "demo-host-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static DemoHosts start(String name, String systemUuid, List<Path> devices, String dataset, int slots, Path log)
            throws IOException {
        List<String> args = new ArrayList<>();
        for (Path d : devices) {
            args.addAll(List.of("--device", d.toString()));
        }
        args.addAll(List.of("--dataset", dataset, "--slots", Integer.toString(slots)));
        return start(name, systemUuid, args, log);
    }

    /** The lookup baseline: a host of the same JVM settings that opens {@code checkpoint} read-only (no famfs). */
    static DemoHosts startBaseline(Path checkpoint, int slots, Path log) throws IOException {
        return start("baseline", null, List.of("--rocksdb", checkpoint.toString(), "--slots", Integer.toString(slots)), log);
    }

    private static DemoHosts start(String name, String systemUuid, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "demo-host"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (systemUuid != null) {
            pb.environment().put("FAMFS_SYSTEM_UUID", systemUuid);
        }
        pb.environment().remove("FAMFS_DEVICE");
        return new DemoHosts(name, pb.start());
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    void send(String command) {
        in.println(command);
    }

    /** Sends a command (may be null to only wait) and returns the next line, or throws after {@code seconds}. */
    String ask(String command, long seconds) throws InterruptedException {
        if (command != null) {
            in.println(command);
        }
        String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null) {
            throw new IllegalStateException("replica host " + name + " did not answer '" + command + "' within " + seconds + " s");
        }
        if (l.equals("EXIT")) {
            throw new IllegalStateException("replica host " + name + " exited" + (process.isAlive() ? "" : " with code "
                    + process.exitValue()));
        }
        return l;
    }

    /** The value of {@code name=} in a host's answer line, or "?". */
    static String field(String line, String name) {
        for (String w : line.split(" ")) {
            if (w.startsWith(name + "=")) {
                return w.substring(name.length() + 1);
            }
        }
        return "?";
    }

    /** SIGTERM to the host (it unmounts on the way out); its pending and later answers become EXIT. */
    void terminate() {
        process.destroy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                in.println("quit");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
