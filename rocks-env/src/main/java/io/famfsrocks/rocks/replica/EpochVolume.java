package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochGuard;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a replica holds of one epoch: the volume (this host's mapping of the device),
 * the epoch check on it, its control file, the journal reader, the replica directory, the
 * mount its SSTs are read through, and its work directory. A {@link SecondaryInstance}
 * references the epoch it reads, so every read can run that epoch's check after itself.
 * A plain volume (no control file, the single-device API) is epoch 0 and has no follower.
 *
 * <p>Not thread-safe except where noted: the follower thread owns it; readers only use
 * {@link #guard} (thread-safe) and {@link #epoch}.
 */
final class EpochVolume implements AutoCloseable {
    final long epoch;
    final FamfsVolume volume;
    final EpochGuard guard;
    /** Null for a plain volume. */
    final EpochFile control;
    final JournalReader reader;
    final ReplicaDirectory dir;
    final Path workDir;
    final Path secondaryDir;
    final UnusedSstPages unused;
    final String dataset;
    private final boolean ownsVolume;
    /** Null when the caller gave the files (the single-device API). */
    private EpochMounts.Mounted mounted;
    String openedOptions;
    /** Versions polled but not yet brought into the directory (the follower's, for this epoch). */
    final List<JournalRecord.Version> pending = new ArrayList<>();
    /** The version the directory was brought to while the epoch was being opened (before it serves). */
    JournalRecord.Version prepared;
    /** Set by the mount's supervisor when it restarted the mount: the follower reopens the instance. */
    volatile boolean remounted;
    /** Secondary instances open on this epoch (any thread closes one: the last reader's release). */
    final java.util.concurrent.atomic.AtomicInteger liveInstances = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;

    EpochVolume(long epoch, FamfsVolume volume, boolean ownsVolume, EpochFile control, String dataset,
                SharedFiles shared, EpochMounts.Mounted mounted, Path workDir) throws IOException {
        this.epoch = epoch;
        this.volume = volume;
        this.ownsVolume = ownsVolume;
        this.guard = EpochGuard.of(volume);
        this.control = control;
        this.dataset = dataset;
        this.reader = new JournalReader(volume, dataset);
        this.mounted = mounted;
        this.workDir = workDir;
        this.dir = new ReplicaDirectory(workDir.resolve("db"), shared, dataset);
        this.unused = new UnusedSstPages(dataset);
        this.secondaryDir = workDir.resolve("secondary");
        Files.createDirectories(secondaryDir);
        Files.createDirectories(workDir.resolve("options"));
    }

    /** "epoch 3 on /dev/shm/a (volume ...)", or the volume alone for a plain one. */
    String describe() {
        return (control == null ? "" : "epoch " + epoch + " on ") + volume.devicePath() + " (volume "
                + guard.expected() + ")";
    }

    /**
     * Versions committed since the last poll, added to {@code into} only if the epoch check
     * after the poll passes: records read from reused memory are never applied.
     */
    void poll(List<JournalRecord.Version> into) {
        List<JournalRecord.Version> got = new ArrayList<>();
        for (JournalRecord r : reader.poll()) {
            if (r instanceof JournalRecord.Version v) {
                got.add(v);
            }
        }
        guard.requireIntact("journal poll of " + describe());
        into.addAll(got);
    }

    /** Waits (at most {@code ms}) until no secondary instance is open on this epoch; whether none is. */
    boolean awaitNoInstances(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        while (liveInstances.get() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
        return liveInstances.get() == 0;
    }

    /** Unmounts (the mount's server ends), leaving the volume open. Idempotent. */
    void unmount() {
        EpochMounts.Mounted m = mounted;
        mounted = null;
        if (m != null) {
            m.close();
        }
    }

    /** Unmounts, closes the volume if this holder opened it, and deletes the work directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmount();
        if (ownsVolume) {
            volume.close();
            deleteTree(workDir);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort: the replica's own temporary files
        }
    }
}
