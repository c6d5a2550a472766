package io.famfsrocks.it.harness;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.SharedFiles;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A replica for end-to-end tests: follows a dataset and, after every version it applies,
 * checks its whole view against {@link WorkloadModel}. Prints one line per version:
 * {@code APPLIED version=V counter=C sequence=S lagMs=L} or {@code VIOLATION ...}.
 *
 * <pre>
 * java -cp ... io.famfsrocks.it.harness.ReplicaMain --device /dev/shm/dev --dataset db1
 *      --work /dev/shm/r1 (--fuse DIR | --mount /mnt/famfs)
 *      [--slots 5000] [--poll-us 1000] [--duration-s 0] [--check-ms N (check the whole view every N ms)]
 * </pre>
 * {@code --fuse DIR} mounts the volume at DIR from a supervised child process (ChildMount:
 * never from this process, which reads through it; a stale mount a killed predecessor left
 * there is cleared) and RocksDB reads the SSTs through it over JNI;
 * {@code --mount} uses a mount someone else made. The host identity comes from
 * {@code FAMFS_SYSTEM_UUID} (or {@code --uuid}).
 */
public final class ReplicaMain {
    private ReplicaMain() {}

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        org.rocksdb.RocksDB.loadLibrary();
        int slots = (int) a.getLong("slots", 5000);
        long durationMs = a.getLong("duration-s", 0) * 1000;
        OpenOptions oo = OpenOptions.defaults().withSystemUuid(a.get("uuid", null));
        try (FamfsVolume volume = Famfs.open(Path.of(a.get("device")), oo)) {
            String fuse = a.get("fuse", null);
            io.famfsrocks.famfs.fuse.ChildMount fm = fuse == null ? null
                    : io.famfsrocks.famfs.fuse.ChildMount.start(Path.of(a.get("device")).toAbsolutePath(), Path.of(fuse),
                            a.get("uuid", null), true, Path.of(fuse + ".mount.log"), null);
            String mount = fuse != null ? fuse : a.get("mount", null);
            if (mount == null) {
                System.err.println("replica: need --fuse DIR or --mount DIR");
                System.exit(2);
            }
            SharedFiles shared = new MountedSharedFiles(Path.of(mount), volume, 5_000);
            ReplicaConfig cfg = ReplicaConfig.defaults()
                    .withPollInterval(Duration.ofNanos(a.getLong("poll-us", 1000) * 1000))
                    .withOpenTimeout(Duration.ofSeconds(60));
            ViewChecker checker = new ViewChecker(slots);
            try (FamfsReplica replica = FamfsReplica.open(volume, a.get("dataset"), shared, Path.of(a.get("work")), cfg)) {
                report(replica, checker, replica.freshness());
                replica.onApplied(f -> report(replica, checker, f));
                long start = System.currentTimeMillis();
                long checkMs = a.getLong("check-ms", 0);
                long lastFreshness = start;
                while (durationMs == 0 || System.currentTimeMillis() - start < durationMs) {
                    Thread.sleep(checkMs > 0 ? checkMs : 1000);
                    if (checkMs > 0) {
                        Freshness f = replica.freshness();
                        synchronized (checker) {
                            try {
                                long c = checker.check(replica);
                                System.out.println("CHECKED counter=" + c + " read=" + f.readSequence() + " version="
                                        + f.appliedVersion());
                            } catch (AssertionError | RuntimeException e) {
                                System.out.println("VIOLATION version=" + f.appliedVersion() + " " + e.getMessage());
                            }
                        }
                    }
                    if (System.currentTimeMillis() - lastFreshness >= 1000) {
                        lastFreshness = System.currentTimeMillis();
                        System.out.println("REPLICA freshness " + replica.freshness() + " stats " + replica.stats());
                    }
                }
            } finally {
                if (fm != null) {
                    fm.close();
                }
            }
        }
    }

    private static void report(FamfsReplica replica, ViewChecker checker, Freshness f) {
        synchronized (checker) {
            check(replica, checker, f);
        }
    }

    private static void check(FamfsReplica replica, ViewChecker checker, Freshness f) {
        try {
            long c = checker.check(replica);
            System.out.println("APPLIED version=" + f.appliedVersion() + " counter=" + c + " sequence=" + f.sequence()
                    + " lagMs=" + (f.appliedAtMs() - f.publishedAtMs()));
        } catch (AssertionError | RuntimeException e) {
            System.out.println("VIOLATION version=" + f.appliedVersion() + " " + e.getMessage());
        }
        System.out.flush();
    }
}
