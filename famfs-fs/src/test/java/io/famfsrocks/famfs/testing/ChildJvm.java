package io.famfsrocks.famfs.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a child JVM with this test's classpath: a separate "host". */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(String systemUuid, Class<?> main, String... args) throws IOException {
        return start(systemUuid, java.util.Map.of(), main, args);
    }

    /** {@link #start(String, Class, String...)} with extra environment variables (e.g. FAMFS_FAULT). */
    public static Process start(String systemUuid, java.util.Map<String, String> env, Class<?> main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", systemUuid);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for exit and returns {exit code as string, combined output}. */
    public static String[] finish(Process p, long seconds) throws Exception {
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child did not exit in " + seconds + " s: " + out);
        }
        return new String[] {Integer.toString(p.exitValue()), out};
    }
}
