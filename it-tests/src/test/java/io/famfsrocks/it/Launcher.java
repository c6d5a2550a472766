package io.famfsrocks.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code ./famfs-rocks} launcher (the shaded jar {@code mvn package} built) in a
 * subprocess, as a user would. {@code FAMFS_DEVICE} is cleared; the host identity comes from
 * the {@code env} given. Stateless.
 */
final class Launcher {
    /** The repository root: the working directory (benchmarks) or its parent (failsafe runs in it-tests/). */
    static final Path ROOT = Files.isRegularFile(Path.of(System.getProperty("user.dir"), "famfs-rocks"))
            ? Path.of(System.getProperty("user.dir")) : Path.of(System.getProperty("user.dir")).getParent();
    static final Path LAUNCHER = ROOT.resolve("famfs-rocks");

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Launcher() {}

    static ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("FAMFS_DEVICE");
        pb.environment().putAll(env);
        return pb;
    }

    static Run run(Map<String, String> env, String... args) throws Exception {
        Process p = builder(env, args).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("famfs-rocks " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), out.get(), err.get());
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** Lines of /proc/mounts naming {@code device} as a famfs source. */
    static List<String> mountsOf(Path device) throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .filter(l -> l.startsWith("famfs:" + device + " ")).toList();
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Reads the first line {@code replica serve} prints ("... on http://127.0.0.1:PORT ...")
     * within {@code seconds} and returns the port; fails naming what it said and its stderr.
     */
    static int servePort(Process server, Path stderr, int seconds) throws Exception {
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        String line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(seconds, java.util.concurrent.TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)")
                .matcher(String.valueOf(line));
        if (!m.find()) {
            throw new IllegalStateException("replica serve said '" + line + "'; " + Files.readString(stderr));
        }
        return Integer.parseInt(m.group(1));
    }
}
