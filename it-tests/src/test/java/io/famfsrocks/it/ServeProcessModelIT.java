package io.famfsrocks.it;

import io.famfsrocks.cli.OwnedTemp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 2: {@code replica serve} must never read through a FUSE mount served by its
 * own JVM (a fault waiting for FUSE threads of the same process can hang every request and
 * survive SIGKILL). The replica's JVM holds no {@code /dev/fuse} descriptor: its mount is
 * served by a child process, which the replica restarts (and reopens its files through) when
 * it is killed. The hostile input of the issue, the device shrunk under a serving replica
 * while clients read: {@code /health} keeps answering, and SIGTERM stops the replica and its
 * mount server within seconds, leaving no mount behind.
 *
 * <p>Also item 9: after {@code kill -9} of a background mount server, {@code mount} again
 * clears the stale mount instead of exiting 15 "already mounted"; and the replica's own mount
 * server, killed with {@code kill -9}, is restarted by the replica.
 */
class ServeProcessModelIT {
    static final int KEYS = 100_000;
    static final Map<String, String> AS_MASTER = Map.of("FAMFS_SYSTEM_UUID", "aaaaaaaa-1313-0000-0000-000000000001");
    static final Map<String, String> AS_CLIENT = Map.of("FAMFS_SYSTEM_UUID", "bbbbbbbb-1313-0000-0000-000000000002");

    Path dev;
    Path tmp;
    Process server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void setUp() throws Exception {
        dev = Path.of("/dev/shm/famfs-procmodel-it-" + UUID.randomUUID());
        tmp = Files.createTempDirectory("procmodel-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
        }
        // A hung replica (today's in-JVM mount) is an unkillable zombie until its FUSE
        // connection is aborted: abort every connection of our device so the test cleans up.
        for (String[] m : fuseMountsOf(dev)) {
            Path abort = Path.of("/sys/fs/fuse/connections", m[0], "abort");
            if (Files.exists(abort)) {
                Files.writeString(abort, "1");
            }
            new ProcessBuilder("fusermount", "-u", "-z", "-q", m[1]).start().waitFor(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.waitFor(20, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(dev);
        Launcher.deleteTree(tmp);
        // What a replica or mount server killed above (SIGKILL) left in /tmp: the product
        // sweeps it at its next start; the suite does not wait for one.
        for (String prefix : TEMP_PREFIXES) {
            OwnedTemp.sweep(prefix, prefix.endsWith("-mnt-"));
        }
    }

    /** The temporary names of a replica session and a background mount server (ReplicaSession, FuseMounter). */
    static final List<String> TEMP_PREFIXES = List.of("famfs-replica-work-", "famfs-replica-mount-",
            "famfs-replica-mnt-", "famfs-rocks-mount-");

    /** The entries in /tmp that process {@code pid} owns (named {@code <prefix><pid>-...}). */
    static List<Path> tempOwnedBy(long pid) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String prefix : TEMP_PREFIXES) {
            try (var ds = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), prefix + pid + "-*")) {
                ds.forEach(out::add);
            }
        }
        return out;
    }

    /** {minor device number, mount point} of every FUSE mount of {@code device} (from mountinfo). */
    static List<String[]> fuseMountsOf(Path device) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = l.split(" ");
            int dash = l.indexOf(" - ");
            if (dash > 0 && l.substring(dash).contains(" famfs:" + device + " ")) {
                out.add(new String[] {f[2].substring(f[2].indexOf(':') + 1), f[4]});
            }
        }
        return out;
    }

    void publishDataset() throws Exception {
        Launcher.Run r = Launcher.run(AS_MASTER, "mkfs", "--size", "512m", dev.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        Path db = tmp.resolve("db");
        TestDbs.write(db, 0, KEYS, 1, 20_000, 1000);
        r = Launcher.run(AS_MASTER, "sst-publish", "--device", dev.toString(), "--dataset", "db1", "--db", db.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    int startServer() throws Exception {
        ProcessBuilder pb = Launcher.builder(AS_CLIENT, "replica", "serve", "--dataset", "db1", "--device",
                dev.toString(), "--port", "0");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("serve.err").toFile()));
        server = pb.start();
        return Launcher.servePort(server, tmp.resolve("serve.err"), 90);
    }

    HttpResponse<String> get(int port, String path, int timeoutMs) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofMillis(timeoutMs)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pids of live processes whose command line contains every one of {@code words}. */
    static List<Long> pidsWith(String... words) throws IOException {
        List<Long> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : ds) {
                try {
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (java.util.Arrays.stream(words).allMatch(cmd::contains)) {
                        out.add(Long.parseLong(d.getFileName().toString()));
                    }
                } catch (IOException ignored) {
                    // gone
                }
            }
        }
        return out;
    }

    /** Whether process {@code pid} holds an open {@code /dev/fuse}: it serves a FUSE mount. */
    static boolean servesFuse(long pid) throws IOException {
        try (var ds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : ds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("/dev/fuse")) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        return false;
    }

    /** SIGKILL, then waits (up to 30 s) until the process is gone. */
    static void kill9(long pid) throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 30_000;
        while (Files.exists(Path.of("/proc", Long.toString(pid), "status")) && System.currentTimeMillis() < deadline) {
            String st = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("State:")).findFirst().orElse("");
            if (st.contains("Z")) {
                break; // a zombie waiting for its parent to reap it: its descriptors are closed
            }
            Thread.sleep(50);
        }
    }

    @Test
    void replicaServeReadsThroughAMountServedByASupervisedChild() throws Exception {
        publishDataset();
        int port = startServer();
        assertThat(get(port, "/get?key=k00000042", 10_000).statusCode()).isEqualTo(200);
        // The serving JVM (the launcher execs java: same pid) serves no FUSE mount itself.
        assertThat(servesFuse(server.pid())).as("replica serve's own JVM holds /dev/fuse").isFalse();
        List<Long> children = pidsWith("MountMain", dev.toString());
        assertThat(children).as("one mount server child").hasSize(1);
        assertThat(servesFuse(children.get(0))).isTrue();

        // kill -9 of the mount server: the replica restarts it and reads again through the new mount.
        kill9(children.get(0));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.readString(tmp.resolve("serve.err")).contains("reopened") && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        String err = Files.readString(tmp.resolve("serve.err"));
        assertThat(err).contains("restarting it", "reopened");
        List<Long> now = pidsWith("MountMain", dev.toString());
        assertThat(now).as("a new mount server").hasSize(1).doesNotContainAnyElementsOf(children);
        for (int k : new int[] {77_777, 12_345, 99_001}) {
            HttpResponse<String> r = get(port, String.format("/get?key=k%08d", k), 10_000);
            assertThat(r.statusCode()).as("a lookup through the restarted mount: " + r.body()).isEqualTo(200);
        }
        assertThat(servesFuse(server.pid())).isFalse();

        List<String[]> mounts = fuseMountsOf(dev);
        assertThat(mounts).hasSize(1);
        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("exited on SIGTERM").isTrue();
        deadline = System.currentTimeMillis() + 10_000;
        while ((!fuseMountsOf(dev).isEmpty() || !pidsWith("MountMain", dev.toString()).isEmpty())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(fuseMountsOf(dev)).as("no mount left behind").isEmpty();
        assertThat(pidsWith("MountMain", dev.toString())).as("no mount server left behind").isEmpty();
        assertThat(Path.of(mounts.get(0)[1])).as("the temporary mount point is removed on SIGTERM").doesNotExist();
    }

    /** Item 5: a dataset that does not exist, a port or thread count out of range: at once, a clear line. */
    @Test
    void replicaServeRefusesBadArgumentsAtOnce() throws Exception {
        publishDataset();
        long t0 = System.nanoTime();
        Launcher.Run r = Launcher.run(AS_CLIENT, "replica", "serve", "--dataset", "nope", "--device", dev.toString(),
                "--port", "0");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("no dataset nope").doesNotContain("\tat ");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms").isLessThan(30_000);
        r = Launcher.run(AS_CLIENT, "replica", "serve", "--dataset", "db1", "--device", dev.toString(), "--port", "70000");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--port");
        r = Launcher.run(AS_CLIENT, "replica", "serve", "--dataset", "db1", "--device", dev.toString(), "--port", "0",
                "--threads", "0");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--threads");
        r = Launcher.run(AS_CLIENT, "replica", "serve", "--dataset", "db1", "--device", dev.toString(), "--port", "0",
                "--max-lag", "-1");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--max-lag must be from 0 to 86400 seconds").doesNotContain("\tat ");
        assertThat(fuseMountsOf(dev)).isEmpty();
    }

    @Test
    void replicaKilledWithSigkillTakesItsMountServerWithItAndTheNextReplicaSweepsWhatItLeft() throws Exception {
        publishDataset();
        int port = startServer();
        assertThat(get(port, "/get?key=k00000042", 10_000).statusCode()).isEqualTo(200);
        List<String[]> mounts = fuseMountsOf(dev);
        long killed = server.pid();
        List<Path> killedOwns = tempOwnedBy(killed);
        assertThat(killedOwns).as("a serving replica's work dir, mount log and mount point")
                .anyMatch(p -> p.getFileName().toString().startsWith("famfs-replica-work-"))
                .anyMatch(p -> p.getFileName().toString().startsWith("famfs-replica-mount-"));
        kill9(killed);
        server.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 20_000;
        while ((!fuseMountsOf(dev).isEmpty() || !pidsWith("MountMain", dev.toString()).isEmpty())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(pidsWith("MountMain", dev.toString())).as("the orphaned mount server exits").isEmpty();
        assertThat(fuseMountsOf(dev)).as("and unmounts").isEmpty();
        assertThat(killedOwns).as("SIGKILL: nobody removed them yet").allMatch(Files::exists);

        // The next replica on this host sweeps what the dead one left (its mount point
        // too, now that nothing is mounted there), and its own files are live ones.
        Process other = server;
        port = startServer();
        assertThat(get(port, "/get?key=k00000042", 10_000).statusCode()).isEqualTo(200);
        assertThat(killedOwns).as("swept by the next replica's start").noneMatch(Files::exists);
        List<Path> liveOwns = tempOwnedBy(server.pid());
        assertThat(liveOwns).isNotEmpty();
        // A third one, started while the second serves, leaves the second's files alone.
        Process second = server;
        ProcessBuilder pb = Launcher.builder(AS_CLIENT, "replica", "get", "--dataset", "db1", "--device",
                dev.toString(), "k00000042");
        pb.redirectErrorStream(true);
        Process third = pb.start();
        String thirdOut = new String(third.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(third.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(third.exitValue()).as(thirdOut).isZero();
        assertThat(liveOwns).as("a live replica's files are untouched").allMatch(Files::exists);
        assertThat(tempOwnedBy(third.pid())).as("a closed replica removes its own").isEmpty();
        assertThat(other.isAlive()).isFalse();
        assertThat(second.isAlive()).isTrue();
    }

    /** Item 9: {@code mount} after kill -9 of the mount server clears the stale mount. */
    @Test
    void mountAgainAfterTheServerWasKilledClearsTheStaleMount() throws Exception {
        Launcher.Run r = Launcher.run(AS_MASTER, "mkfs", "--size", "64m", dev.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        r = Launcher.run(AS_MASTER, "mount", dev.toString(), mp.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        List<Long> servers = pidsWith("mount", "-f", mp.toString());
        assertThat(servers).as("the background mount server").hasSize(1);
        List<Path> killedLog = tempOwnedBy(servers.get(0));
        assertThat(killedLog).as("the server owns its log").singleElement()
                .matches(p -> p.getFileName().toString().startsWith("famfs-rocks-mount-"));
        kill9(servers.get(0));
        Thread.sleep(500);
        assertThat(fuseMountsOf(dev)).as("the stale mount is still there").hasSize(1);
        assertThat(killedLog).as("SIGKILL: the log stays").allMatch(Files::exists);
        r = Launcher.run(AS_MASTER, "mount", dev.toString(), mp.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("stale");
        assertThat(killedLog).as("swept by the next mount").noneMatch(Files::exists);
        List<Long> next = pidsWith("mount", "-f", mp.toString());
        assertThat(next).hasSize(1);
        List<Path> liveLog = tempOwnedBy(next.get(0));
        assertThat(liveLog).as("the live server's log").hasSize(1).allMatch(Files::exists);
        r = Launcher.run(AS_MASTER, "creat", "-s", "4k", mp.resolve("after").toString());
        assertThat(r.code()).as("the new mount serves: " + r).isZero();
        assertThat(Files.size(mp.resolve("after"))).isEqualTo(4096);
        assertThat(new ProcessBuilder("fusermount", "-u", mp.toString()).start().waitFor()).isZero();
        long deadline = System.currentTimeMillis() + 20_000;
        while (Files.exists(liveLog.get(0)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(liveLog).as("a server that ends cleanly deletes its log").noneMatch(Files::exists);
    }

    @Test
    void aDeviceShrunkUnderServingReplicaNeitherHangsItNorSurvivesSigterm() throws Exception {
        publishDataset();
        int port = startServer();
        assertThat(get(port, "/get?key=k00000042", 10_000).statusCode()).isEqualTo(200);
        assertThat(get(port, "/scan?from=k00000000&limit=10", 10_000).statusCode()).isEqualTo(200);

        // Readers that keep faulting SST pages in through the mount (cold: the keys spread out).
        AtomicLong answered = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            Thread r = new Thread(() -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        get(port, String.format("/get?key=k%08d", rnd.nextInt(KEYS)), 3_000);
                        answered.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // timeouts and errors are what we look at below
                    }
                }
            });
            r.setDaemon(true);
            r.start();
            readers.add(r);
        }
        // Shrink the device to its first 10 MiB (superblock and log stay; every file's bytes go).
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(10L << 20);
        }
        Thread.sleep(3_000);
        for (Thread r : readers) {
            r.interrupt();
        }
        // The server still answers /health within 5 s (ready or not), or it has exited: with
        // allow_mmap_reads an EIO from the mount is a SIGBUS in RocksDB, which ends the process
        // (issue 13 item 7 is to keep serving the last good version). What must never happen
        // is what the in-JVM mount did: a process that neither answers nor exits.
        long t0 = System.nanoTime();
        int health;
        try {
            health = get(port, "/health", 5_000).statusCode();
        } catch (java.net.http.HttpTimeoutException e) {
            health = -1;
        } catch (java.io.IOException e) {
            health = server.waitFor(10, TimeUnit.SECONDS) ? 0 : -2; // refused: it must have exited
        }
        long healthMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("device shrunk under replica serve: /health %d after %d ms (0: the process exited, code %s); "
                + "%d reads answered%n", health, healthMs, server.isAlive() ? "-" : server.exitValue(), answered.get());
        assertThat(health).as("/health answered after the device shrank, or the process exited "
                + "(-1: timed out, the replica hung)").isIn(0, 200, 503);
        // And SIGTERM stops it, mount server included.
        server.destroy();
        boolean exited = server.waitFor(30, TimeUnit.SECONDS);
        assertThat(exited).as("replica serve exited within 30 s of SIGTERM; "
                + Files.readString(tmp.resolve("serve.err"))).isTrue();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!fuseMountsOf(dev).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(fuseMountsOf(dev)).as("no mount left behind").isEmpty();
    }
}
