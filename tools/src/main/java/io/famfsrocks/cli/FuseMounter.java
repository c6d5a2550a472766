package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fuse.FuseBindings;
import io.famfsrocks.famfs.fuse.FamfsMount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Mounts through FUSE. A FUSE server is a process that lives as long as the mount, and a
 * JVM cannot fork, so a background mount starts a detached child JVM running
 * {@code mount -f} (the foreground mode) with its output in a log file, waits until the
 * mount table shows the mount, and returns; if the child dies first, its last error line
 * and exit code become ours. Stateless apart from the mount-table source; thread-safe.
 */
final class FuseMounter implements Mounter {
    private static final long WAIT_MILLIS = 30_000;
    /** Set on a background server: its log, deleted when the mount ends cleanly. */
    static final String LOG_PROPERTY = "famfs-rocks.mount-log";
    /** The log's name: {@link OwnedTemp}'s, owned by the server (which adopts it), so a killed server's log is swept. */
    static final String LOG_PREFIX = "famfs-rocks-mount-";

    private final Supplier<MountTable> mounts;

    FuseMounter(Supplier<MountTable> mounts) {
        this.mounts = mounts;
    }

    @Override
    public void mount(Path device, Path mountPoint, boolean foreground, boolean readOnly, OpenOptions opts) {
        if (foreground) {
            serve(device, mountPoint, readOnly, opts);
        } else {
            spawn(device, mountPoint, readOnly, opts);
        }
    }

    /** Mounts in this process and serves until the mount ends (umount, or a signal: the exit hook unmounts). */
    private static void serve(Path device, Path mountPoint, boolean readOnly, OpenOptions opts) {
        String logName = System.getProperty(LOG_PROPERTY);
        Path log = logName == null ? null : OwnedTemp.adopt(Path.of(logName), LOG_PREFIX);
        try {
            FamfsMount.serve(device, mountPoint, opts, FamfsMount.Options.defaults().withReadOnly(readOnly), m ->
                    System.err.println(Main.NAME + ": serving " + device + " on " + m.mountPoint()
                            + (m.ops().writable() ? " (master, read-write)" : " (read-only)")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (log != null) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover log file is harmless
            }
        }
    }

    private void spawn(Path device, Path mountPoint, boolean readOnly, OpenOptions opts) {
        Path log;
        Process child;
        try {
            OwnedTemp.sweep(LOG_PREFIX, false); // the logs of servers killed with SIGKILL
            log = OwnedTemp.createFile(LOG_PREFIX, ".log");
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd.add("/usr/bin/setsid"); // leave our session: the server outlives this terminal
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (Runtime.version().feature() >= 22) {
                cmd.add("--enable-native-access=ALL-UNNAMED");
            }
            cmd.add("-D" + LOG_PROPERTY + "=" + log);
            String binding = System.getProperty(FuseBindings.PROPERTY);
            if (binding != null) {
                cmd.add("-D" + FuseBindings.PROPERTY + "=" + binding); // a forced FUSE binding holds for the server
            }
            cmd.addAll(OpenOptions.coherenceJvmArguments()); // --coherence reaches the mount server too
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "mount", "-f"));
            if (opts.systemUuid() != null) {
                cmd.addAll(List.of("--system-uuid", opts.systemUuid()));
            }
            if (readOnly) {
                cmd.add("-r");
            }
            cmd.add(device.toString());
            cmd.add(mountPoint.toString());
            child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot start the mount server: " + e.getMessage());
        }
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (mounts.get().mounts().stream().anyMatch(m -> m.mountPoint().equals(mountPoint))) {
                return;
            }
            if (!child.isAlive()) {
                throw childFailed(child.exitValue(), log);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        child.destroy();
        throw new CliException(ExitCode.IO, "the mount server did not mount " + mountPoint + " within "
                + WAIT_MILLIS / 1000 + " s; see " + java.util.Objects.requireNonNullElse(OwnedTemp.findAdopted(log, LOG_PREFIX), log));
    }

    private static CliException childFailed(int code, Path log) {
        String last = "exit " + code;
        Path found = OwnedTemp.findAdopted(log, LOG_PREFIX);
        if (found == null) {
            return new CliException(ExitCode.fromCode(code), last);
        }
        log = found;
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (String l : lines) {
                if (l.startsWith(Main.NAME + ": ") && !l.contains("try '")) {
                    last = l.substring(Main.NAME.length() + 2);
                }
            }
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // keep the exit code as the message
        }
        return new CliException(ExitCode.fromCode(code), last);
    }
}
