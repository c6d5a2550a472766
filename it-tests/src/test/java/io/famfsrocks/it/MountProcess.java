package io.famfsrocks.it;

import io.famfsrocks.famfs.fuse.FuseBindings;
import io.famfsrocks.famfs.fuse.MountMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A FUSE mount daemon in its own JVM ({@link MountMain}), as another host would run it:
 * started with its own system UUID, ready once it prints {@code MOUNTED <mp> <role> <binding>}.
 * The FUSE binding is the daemon's choice ({@code auto}) unless {@code --binding} is among the
 * extra arguments or the system property {@code famfs.fuse.binding} is set here. Closing stops it
 * with SIGTERM (SIGKILL if it lingers). Not thread-safe.
 */
public final class MountProcess implements AutoCloseable {
    private final Process process;
    private final Path mountPoint;
    private final String role;
    private final String binding;

    private MountProcess(Process process, Path mountPoint, String role, String binding) {
        this.process = process;
        this.mountPoint = mountPoint;
        this.role = role;
        this.binding = binding;
    }

    public static MountProcess start(Path device, Path mountPoint, String systemUuid, Path stderr, String... extra)
            throws IOException, InterruptedException {
        FuseAvailable.require();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        String forced = System.getProperty(FuseBindings.PROPERTY);
        if (forced != null) {
            cmd.add("-D" + FuseBindings.PROPERTY + "=" + forced);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MountMain.class.getName(),
                device.toString(), mountPoint.toString(), "--system-uuid", systemUuid));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("mount daemon did not report; see " + stderr, e);
        }
        if (first == null || !first.startsWith("MOUNTED ")) {
            p.destroyForcibly();
            throw new IOException("mount daemon failed (" + first + "); see " + stderr);
        }
        String[] said = first.split(" ");
        return new MountProcess(p, mountPoint, said[said.length - 2], said[said.length - 1]);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** "master" or "client", as the daemon reported. */
    public String role() {
        return role;
    }

    /** "jnr" or "fuse3": the FUSE binding the daemon serves with, as it reported. */
    public String binding() {
        return binding;
    }

    /** The daemon's process id (benchmarks read its CPU time). */
    public long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** SIGKILL: the daemon dies without unmounting, leaving a stale mount point. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: the daemon's exit hook unmounts
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        try {
            new ProcessBuilder("fusermount", "-u", "-z", "-q", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // nothing mounted there
        }
    }
}
