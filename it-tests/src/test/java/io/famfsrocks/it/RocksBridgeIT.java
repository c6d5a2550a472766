package io.famfsrocks.it;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.it.harness.PrimaryMain;
import io.famfsrocks.it.harness.ReplicaMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RocksDB bridge across real processes: one primary writing with compactions on, two
 * replica processes with their own system UUIDs and their own FUSE mounts (served in
 * the replica's JVM; RocksDB reads the shared SSTs through them) checking their whole
 * view against the workload model after every version; a replica and then the primary
 * are killed with SIGKILL and restarted (the restarted replica remounts over the stale
 * mount its predecessor left).
 */
class RocksBridgeIT {
    private static final Pattern APPLIED = Pattern.compile("APPLIED version=(\\d+) counter=(\\d+)");
    private Path dir;
    private Path device;
    private final String primaryUuid = UUID.randomUUID().toString();
    private final List<Proc> procs = new ArrayList<>();

    /** A child JVM whose output lines are collected. */
    static final class Proc {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Proc(String name, Process p) {
            this.name = name;
            this.process = p;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (Exception ignored) {
                    // process gone
                }
            }, "out-" + name);
            t.setDaemon(true);
            t.start();
        }

        List<long[]> applied() {
            List<long[]> out = new ArrayList<>();
            for (String l : lines) {
                Matcher m = APPLIED.matcher(l);
                if (m.find()) {
                    out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
                }
            }
            return out;
        }

        List<String> violations() {
            return lines.stream().filter(l -> l.contains("VIOLATION") || l.contains("Exception")).toList();
        }

        /** SIGKILL; fails (after freeing it) when the process cannot die, e.g. stuck on its own FUSE mount. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (pid " + process.pid() + ") did not exit 30 s after SIGKILL");
            }
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-bridge-it");
        device = dir.resolve("famfs.img");
        MemoryDevice.createFile(device, 4L << 30);
        Mkfs.format(device, Mkfs.Options.defaults().withSystemUuid(primaryUuid));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Proc p : procs) {
            p.process.destroyForcibly();
            p.process.waitFor(30, TimeUnit.SECONDS);
        }
        for (String mp : fuseMountsUnder(dir)) {
            abortAndUnmount(mp); // a killed replica leaves a stale mount; never walk into one
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Proc spawn(String name, String uuid, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", uuid);
        Proc p = new Proc(name, pb.start());
        procs.add(p);
        return p;
    }

    private Proc primary() throws Exception {
        return spawn("primary", primaryUuid, PrimaryMain.class, "--device", device.toString(),
                "--db", dir.resolve("db").toString(), "--dataset", "it/db1");
    }

    /** A replica process reading the shared SSTs through its own in-process FUSE mount at {@code dir/name-mnt}. */
    private Proc replica(String name, String uuid) throws Exception {
        return spawn(name, uuid, ReplicaMain.class, "--device", device.toString(), "--dataset", "it/db1",
                "--work", dir.resolve(name + "-work").toString(), "--fuse", dir.resolve(name + "-mnt").toString());
    }

    /** Mount points of FUSE famfs mounts under {@code root}, from this process's mount table. */
    static List<String> fuseMountsUnder(Path root) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash > 0 && f[dash + 1].startsWith("fuse") && f[4].startsWith(root.toString() + "/")) {
                out.add(f[4] + " " + f[2]);
            }
        }
        return out;
    }

    /** {@code "mountpoint major:minor"}: aborts the FUSE connection (fusectl) and lazily unmounts. */
    private static void abortAndUnmount(String mp) throws Exception {
        String[] f = mp.split(" ");
        Path abort = Path.of("/sys/fs/fuse/connections", f[1].substring(f[1].indexOf(':') + 1), "abort");
        if (Files.exists(abort)) {
            Files.writeString(abort, "1");
        }
        new ProcessBuilder("fusermount", "-u", "-z", "-q", f[0]).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** Asserts that {@code name}'s SSTs are linked into its own live FUSE mount (reads really go through FUSE). */
    private void assertReadsThroughOwnMount(String name) throws Exception {
        Path mnt = dir.resolve(name + "-mnt");
        assertThat(fuseMountsUnder(dir)).as("FUSE mounts").anyMatch(m -> m.startsWith(mnt + " "));
        List<Path> links;
        try (Stream<Path> s = Files.list(dir.resolve(name + "-work").resolve("db"))) {
            links = s.filter(Files::isSymbolicLink).toList();
        }
        assertThat(links).as(name + " SST links").isNotEmpty();
        for (Path l : links) {
            assertThat(Files.readSymbolicLink(l).startsWith(mnt)).as(l + " -> " + Files.readSymbolicLink(l)).isTrue();
        }
    }

    /** Waits until {@code p} has applied a version whose counter is beyond {@code counter}. */
    private long awaitCounterBeyond(Proc p, long counter, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            List<long[]> a = p.applied();
            if (!a.isEmpty() && a.get(a.size() - 1)[1] > counter) {
                return a.get(a.size() - 1)[1];
            }
            assertThat(p.violations()).as(p.name + " output").isEmpty();
            Thread.sleep(50);
        }
        throw new AssertionError(p.name + " did not pass counter " + counter + " in " + timeoutMs + " ms; last lines: "
                + p.lines.subList(Math.max(0, p.lines.size() - 10), p.lines.size()));
    }

    /** Waits until {@code p} has applied at least {@code n} versions. */
    private static void awaitVersionsApplied(Proc p, int n, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (p.applied().size() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void assertMonotonic(Proc p) {
        List<long[]> a = p.applied();
        for (int i = 1; i < a.size(); i++) {
            assertThat(a.get(i)[0]).as(p.name + " versions increase").isGreaterThan(a.get(i - 1)[0]);
            assertThat(a.get(i)[1]).as(p.name + " counters never go back").isGreaterThanOrEqualTo(a.get(i - 1)[1]);
        }
    }

    @Test
    void replicasFollowAPrimaryThroughKillsAndRestarts() throws Exception {
        String u1 = UUID.randomUUID().toString();
        String u2 = UUID.randomUUID().toString();
        Proc primary = primary();
        Proc r1 = replica("replica1", u1);
        Proc r2 = replica("replica2", u2);

        long c1 = awaitCounterBeyond(r1, 20_000, 60_000);
        awaitCounterBeyond(r2, 20_000, 60_000);
        assertReadsThroughOwnMount("replica1");
        assertReadsThroughOwnMount("replica2");

        // A replica killed and restarted resumes, never behind what it had shown.
        r1.kill();
        assertMonotonic(r1);
        long r1Last = r1.applied().get(r1.applied().size() - 1)[1];
        Proc r1b = replica("replica1", u1);
        long c1b = awaitCounterBeyond(r1b, r1Last, 60_000);
        assertReadsThroughOwnMount("replica1");
        assertThat(r1b.applied().get(0)[1]).isGreaterThanOrEqualTo(r1Last);

        // The primary killed and restarted resumes the same dataset; replicas keep following.
        primary.kill();
        long beforeKill = awaitCounterBeyond(r2, 0, 1_000);
        Proc primary2 = primary();
        long after = awaitCounterBeyond(r2, beforeKill + 10_000, 60_000);
        awaitCounterBeyond(r1b, beforeKill + 10_000, 60_000);
        assertThat(primary2.lines).anyMatch(l -> l.startsWith("PRIMARY start counter=") && !l.endsWith("=0"));
        assertThat(primary2.lines).noneMatch(l -> l.contains("error="));

        for (Proc p : List.of(r1b, r2)) {
            awaitVersionsApplied(p, 11, 60_000); // a replica may apply several flushes as one version
            assertMonotonic(p);
            assertThat(p.violations()).as(p.name).isEmpty();
            assertThat(p.applied().size()).as(p.name + " versions applied").isGreaterThan(10);
        }
        primary2.kill();
        r1b.kill();
        r2.kill();
        Fsck.Report report = Fsck.check(device, OpenOptions.defaults().withSystemUuid(primaryUuid));
        assertThat(report.defects()).isEmpty();
        System.out.printf("RocksBridgeIT: replica1 %d+%d versions, replica2 %d versions, counters %d -> %d -> %d%n",
                r1.applied().size(), r1b.applied().size(), r2.applied().size(), c1, c1b, after);
        System.out.println("primary (restarted) last lines: " + primary2.lines.subList(Math.max(0, primary2.lines.size() - 3), primary2.lines.size()));
    }
}
