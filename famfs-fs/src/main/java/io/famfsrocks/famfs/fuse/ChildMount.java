package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A FUSE mount served by a child JVM ({@link MountMain}) and supervised by this process.
 *
 * <p>Why a child: a process must never read through a FUSE mount that it serves itself. A
 * reader's page fault on a file of the mount waits for the FUSE server; if the server is
 * a thread of the same process and needs something the fault holds (the mmap lock, a
 * safepoint, a crashed JVM's exit), every request hangs, SIGTERM cannot finish, and even
 * SIGKILL leaves an unkillable process until the FUSE connection is aborted by hand: the
 * connection ends only when its last holder exits. With the server in another process,
 * the server dying ends the connection and every pending read fails instead of hanging.
 *
 * <p>Supervision: if the child exits while this mount is open, its stale mount is cleared
 * and a new child is started on the same mount point (backing off from 0.5 s to 10 s);
 * the listener given to {@link #start} then runs, so that the reader reopens the files it
 * held through the dead mount. The child watches its stdin, a pipe from this process:
 * when this process dies, even by SIGKILL, the child unmounts and exits. {@link #close}
 * stops the child (SIGTERM, then SIGKILL) and clears the mount. Thread-safe.
 */
public final class ChildMount implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChildMount.class.getName());
    private static final long START_TIMEOUT_MS = 60_000;

    private final Path device;
    private final Path mountPoint;
    private final List<String> args;
    private final Path log;
    private final Runnable onRestart;
    private final Thread supervisor;
    private volatile Process process;
    private volatile boolean closed;
    private volatile int restarts;

    private ChildMount(Path device, Path mountPoint, List<String> args, Path log, Runnable onRestart, Process first) {
        this.device = device;
        this.mountPoint = mountPoint;
        this.args = args;
        this.log = log;
        this.onRestart = onRestart;
        this.process = first;
        this.supervisor = new Thread(this::supervise, "famfs-mount-supervisor-" + mountPoint.getFileName());
        this.supervisor.setDaemon(true);
    }

    /**
     * Starts a child that mounts {@code device} at {@code mountPoint} and returns once it
     * serves (it printed {@code MOUNTED}).
     *
     * @param systemUuid the host identity for the child (null: inherited from the environment)
     * @param log the child's stderr, appended to
     * @param onRestart run after the supervisor restarted a dead child (may be null)
     * @throws FamfsException IO when the child cannot start or mount (its last error line)
     */
    public static ChildMount start(Path device, Path mountPoint, String systemUuid, boolean readOnly, Path log,
                                   Runnable onRestart) {
        List<String> a = new ArrayList<>(List.of(device.toString(), mountPoint.toString(), "--exit-with-parent"));
        if (systemUuid != null) {
            a.addAll(List.of("--system-uuid", systemUuid));
        }
        if (readOnly) {
            a.add("--read-only");
        }
        ChildMount m = new ChildMount(device, mountPoint.toAbsolutePath().normalize(), List.copyOf(a), log, onRestart,
                spawn(a, log));
        m.supervisor.start();
        return m;
    }

    private static Process spawn(List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        String binding = System.getProperty(FuseBindings.PROPERTY);
        if (binding != null) {
            cmd.add("-D" + FuseBindings.PROPERTY + "=" + binding); // a forced binding holds for the servers too
        }
        cmd.addAll(io.famfsrocks.famfs.fs.OpenOptions.coherenceJvmArguments()); // --coherence reaches the server too
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), MountMain.class.getName()));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot start the mount server: " + e.getMessage(), e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                String l = out.readLine();
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // nothing else is expected; keep the pipe from filling
                        }
                    } catch (IOException ignored) {
                        // the child is gone
                    }
                }, "famfs-mount-stdout");
                drain.setDaemon(true);
                drain.start();
                return l;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = first.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new FamfsException(ErrorKind.IO, "the mount server did not mount " + args.get(1) + " within "
                    + START_TIMEOUT_MS / 1000 + " s; see " + log);
        }
        if (line == null || !line.startsWith("MOUNTED ")) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new FamfsException(ErrorKind.IO, "the mount server failed: " + lastLine(log));
        }
        return p;
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("famfs mount: ")) {
                    return lines.get(i).substring("famfs mount: ".length());
                }
            }
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "see " + log;
        }
    }

    private void supervise() {
        long backoffMs = 500;
        while (!closed) {
            Process p = process;
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            LOG.log(Level.WARNING, "{0}: mount server of {1} exited (code {2}); clearing the mount and restarting it",
                    mountPoint, device, p.exitValue());
            System.err.println("famfs-rocks: mount server of " + device + " on " + mountPoint + " exited (code "
                    + p.exitValue() + "); restarting it");
            while (!closed) {
                MountPoints.unmount(mountPoint, true); // the dead child's stale mount
                try {
                    Process next = spawn(args, log);
                    synchronized (this) {
                        if (closed) {
                            next.destroy();
                            return;
                        }
                        process = next;
                        restarts++;
                    }
                    backoffMs = 500;
                    break;
                } catch (FamfsException e) {
                    System.err.println("famfs-rocks: cannot restart the mount server of " + device + ": "
                            + e.getMessage() + "; retrying in " + backoffMs + " ms");
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoffMs = Math.min(backoffMs * 2, 10_000);
                }
            }
            if (!closed && onRestart != null) {
                try {
                    onRestart.run();
                } catch (RuntimeException e) {
                    System.err.println("famfs-rocks: after restarting the mount server: " + e.getMessage());
                }
            }
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The child's process id (tests kill it to check the supervision). */
    public long pid() {
        return process.pid();
    }

    /** How many times a dead child was replaced. */
    public int restarts() {
        return restarts;
    }

    /** Stops the child (SIGTERM: it unmounts; SIGKILL after 10 s) and clears the mount. Idempotent. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = process;
        }
        supervisor.interrupt();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (MountPoints.isMountPoint(mountPoint)) {
            MountPoints.unmount(mountPoint, true);
        }
    }

    @Override
    public String toString() {
        return "ChildMount[" + device + " on " + mountPoint + ", restarts " + restarts + "]";
    }
}
