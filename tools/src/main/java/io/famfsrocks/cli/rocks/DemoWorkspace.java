package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.famfs.fs.Famfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Everything the demo makes on this machine, and its removal: the device file, the work
 * directory (the primary's RocksDB, the baseline's checkpoint, the hosts' logs) and the host
 * processes with their FUSE mounts. {@link #cleanUp()} stops the hosts, clears mounts a dead
 * host left, deletes the work files and (unless kept) the device; it is idempotent.
 * Thread-safe: the main thread starts hosts while the shutdown hook may terminate them and
 * clean up (the host list is copy-on-write, the work directory volatile, the clean-up
 * synchronized).
 */
final class DemoWorkspace {
    private final Path dev;
    /** The pool: {@code dev} and its twin {@code dev.2} (docs/epochs.md). */
    private final List<Path> devices;
    private final boolean keep;
    private final List<DemoHosts> hosts = new CopyOnWriteArrayList<>();
    private volatile Path work;
    private boolean cleaned;

    DemoWorkspace(Path dev, boolean keep) {
        this.dev = dev;
        this.devices = List.of(dev, dev.resolveSibling(dev.getFileName() + ".2"));
        this.keep = keep;
    }

    Path device() {
        return dev;
    }

    /** The pool's devices: the first is {@link #device()}. */
    List<Path> devices() {
        return devices;
    }

    Path work() {
        return work;
    }

    /**
     * Replaces the pool's devices with blank sparse ones of {@code size} each (the publisher
     * formats them, one per epoch); makes the work directory.
     */
    void create(long size) throws IOException {
        for (Path d : devices) {
            if (Files.exists(d)) {
                Files.delete(d);
            }
            Famfs.createDeviceFile(d, size);
        }
        // the device's name in the work directory's lets a test find every process the demo started
        String tag = dev.getFileName().toString();
        work = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir")), "famfs-demo-work-"
                + tag.substring(0, Math.min(tag.length(), 100)) + "-");
    }

    /** Starts replica host {@code name} (its own JVM, system UUID and FUSE mount) following {@code dataset}. */
    DemoHosts startReplica(String name, String dataset, int slots) throws IOException {
        DemoHosts h = DemoHosts.start(name, UUID.randomUUID().toString(), devices, dataset, slots,
                work.resolve("host-" + name + ".log"));
        hosts.add(h);
        return h;
    }

    /** Starts the baseline host on a read-only RocksDB of {@code checkpoint}. */
    DemoHosts startBaseline(Path checkpoint, int slots) throws IOException {
        DemoHosts h = DemoHosts.startBaseline(checkpoint, slots, work.resolve("host-baseline.log"));
        hosts.add(h);
        return h;
    }

    /** Waits for a host's READY line; returns what follows {@code mount=}. */
    String ready(DemoHosts h) throws InterruptedException {
        String l = h.ask(null, 120);
        if (!l.startsWith("READY")) {
            throw new CliException(ExitCode.INTERNAL, "host " + h.name() + ": " + l
                    + " (see " + work.resolve("host-" + h.name() + ".log") + ")");
        }
        return DemoHosts.field(l, "mount");
    }

    /** SIGTERM to every host, which also ends any wait on them. */
    void terminateHosts() {
        for (DemoHosts h : hosts) {
            h.terminate();
        }
    }

    /** Stops the hosts, clears their mounts, deletes the work files and the device. Idempotent. */
    synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (DemoHosts h : hosts) {
            h.close();
        }
        if (dev != null) {
            for (MountTable.Mount m : MountTable.read().mounts()) {
                if (devices.contains(m.device())) { // a host that died before unmounting
                    run("fusermount", "-u", "-z", m.mountPoint().toString());
                    try {
                        Files.deleteIfExists(m.mountPoint());
                    } catch (IOException ignored) {
                        // not empty or busy: leave it
                    }
                }
            }
        }
        ReplicaSession.deleteTree(work);
        if (dev != null && !keep) {
            for (Path d : devices) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    System.err.println("famfs-rocks: could not delete " + d + ": " + e.getMessage());
                }
            }
        }
    }

    private static void run(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
    }
}
