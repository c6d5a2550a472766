package io.famfsrocks.it.bench;

import io.famfsrocks.cli.Main;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Flush -> visible lag of the sidecar ({@code sst-publish --follow}, a process of its own
 * following a DB this program owns) beside the in-process publisher ({@code
 * FamfsPublisher.attach}), measured in one run, rounds alternating between the two. A
 * program, not a test.
 *
 * <pre>
 * scripts/bench it-tests SidecarLagBench [--rounds 200] [--keys 2000] [--poll-ms 20]
 * </pre>
 * Each round writes {@code --keys} keys (16 + 100 B) into one DB, flushes it (waiting), and
 * times from the flush call (the flush itself is printed apart) to the moment a version whose sequence covers the last
 * write is committed in the dataset's journal, as read by a client of the device polling
 * it ({@link JournalReader}, every 0.1 ms): the point from which any replica's next poll
 * switches to it (the replica's own switch, BridgeBench's lag, comes on top for both). Both
 * DBs have the same options (compactions on) and each has its own device.
 */
public final class SidecarLagBench {
    public static void main(String[] args) throws Exception {
        int rounds = intArg(args, "--rounds", 200);
        int keys = intArg(args, "--keys", 2000);
        int pollMs = intArg(args, "--poll-ms", 20);
        RocksDB.loadLibrary();
        Path work = Files.createTempDirectory(Path.of("/dev/shm"), "sidecar-bench");
        String master = UUID.randomUUID().toString();
        Process sidecar = null;
        System.out.printf(Locale.ROOT, "SidecarLagBench %s UTC, %d cores, load average %s; %d rounds of %d keys, poll %d ms%n",
                java.time.Instant.now().toString().substring(0, 16), Runtime.getRuntime().availableProcessors(),
                BridgeBench.loadAvg(), rounds, keys, pollMs);
        try {
            Path devIn = device(work.resolve("inproc.img"), master);
            Path devSide = device(work.resolve("sidecar.img"), master);
            OpenOptions asMaster = OpenOptions.defaults().withSystemUuid(master);
            OpenOptions asClient = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
            try (MasterVolume vol = Famfs.openMaster(devIn, asMaster);
                 Options inOpts = options(); Options sideOpts = options();
                 FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                FamfsPublisher pub = FamfsPublisher.attach(inOpts, vol, "lag", PublisherConfig.defaults());
                try (RocksDB inDb = RocksDB.open(inOpts, work.resolve("inproc-db").toString()); FamfsPublisher p = pub;
                     RocksDB sideDb = RocksDB.open(sideOpts, work.resolve("owned-db").toString())) {
                    write(inDb, 0, keys);
                    inDb.flush(flush);
                    p.start(inDb);
                    write(sideDb, 0, keys);
                    sideDb.flush(flush);
                    sidecar = startSidecar(devSide, work.resolve("owned-db"), master, pollMs);
                    try (FamfsVolume cIn = Famfs.open(devIn, asClient); FamfsVolume cSide = Famfs.open(devSide, asClient)) {
                        JournalReader rIn = new JournalReader(cIn, "lag");
                        JournalReader rSide = new JournalReader(cSide, "lag");
                        long[] lagIn = new long[rounds];
                        long[] lagSide = new long[rounds];
                        List<Long> flushIn = new ArrayList<>();
                        List<Long> flushSide = new ArrayList<>();
                        for (int r = 0; r < rounds; r++) {
                            int from = (r + 1) * keys;
                            lagIn[r] = round(inDb, flush, rIn, from, keys, flushIn);
                            lagSide[r] = round(sideDb, flush, rSide, from, keys, flushSide);
                        }
                        report("in-process publisher (FamfsPublisher.attach)", lagIn, flushIn);
                        report("sidecar (sst-publish --follow, own process)", lagSide, flushSide);
                        Arrays.sort(lagIn);
                        Arrays.sort(lagSide);
                        System.out.printf(Locale.ROOT, "ratio sidecar / in-process: p50 %.2f, p99 %.2f%n",
                                (double) lagSide[rounds / 2] / Math.max(1, lagIn[rounds / 2]),
                                (double) lagSide[p99(rounds)] / Math.max(1, lagIn[p99(rounds)]));
                    }
                }
            }
        } finally {
            if (sidecar != null) {
                sidecar.toHandle().destroy(); // SIGTERM: the sidecar's clean stop
                if (!sidecar.waitFor(30, TimeUnit.SECONDS)) {
                    sidecar.destroyForcibly();
                }
            }
            System.out.printf("load average at the end: %s%n", BridgeBench.loadAvg());
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Writes, flushes, and returns microseconds from the flush call to the covering version's
     * commit; adds the flush's own duration to {@code flushMicros}.
     */
    private static long round(RocksDB db, FlushOptions flush, JournalReader reader, int from, int keys,
                              List<Long> flushMicros) throws Exception {
        write(db, from, keys);
        long seq = db.getLatestSequenceNumber();
        long t0 = System.nanoTime();
        db.flush(flush);
        flushMicros.add((System.nanoTime() - t0) / 1000);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (JournalRecord rec : reader.poll()) {
                if (rec instanceof JournalRecord.Version v && v.sequence() >= seq) {
                    long lag = (System.nanoTime() - t0) / 1000;
                    drain(reader);
                    return lag;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        throw new IllegalStateException("no version covering sequence " + seq + " within 60 s");
    }

    private static void drain(JournalReader reader) {
        reader.poll(); // later versions of the same round (a compaction) do not count for the next
    }

    private static void write(RocksDB db, int from, int keys) throws Exception {
        byte[] value = new byte[100];
        for (int i = from; i < from + keys; i++) {
            Arrays.fill(value, (byte) ('a' + i % 26));
            db.put(String.format("key%013d", (i * 7919L) % 100_000_000L).getBytes(StandardCharsets.US_ASCII), value);
        }
    }

    private static Options options() {
        return new Options().setCreateIfMissing(true).setLevel0FileNumCompactionTrigger(4)
                .setWriteBufferSize(8 << 20);
    }

    private static Path device(Path p, String master) {
        MemoryDevice.createFile(p, 4L << 30);
        Mkfs.format(p, Mkfs.Options.defaults().withSystemUuid(master));
        return p;
    }

    /** The real CLI verb in a JVM of its own (as a sidecar runs beside any DB's owner); returns once it follows. */
    private static Process startSidecar(Path dev, Path db, String master, int pollMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "sst-publish", "--device", dev.toString(), "--dataset", "lag", "--db", db.toString(), "--follow",
                "--poll", Integer.toString(pollMs), "--no-progress"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("FAMFS_SYSTEM_UUID", master);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (first == null || !first.startsWith("following ")) {
            throw new IllegalStateException("the sidecar did not start: " + first);
        }
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep its stdout drained
                }
            } catch (java.io.IOException ignored) {
                // gone
            }
        }, "sidecar-out");
        t.setDaemon(true);
        t.start();
        return p;
    }

    private static int p99(int n) {
        return Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1);
    }

    private static void report(String what, long[] micros, List<Long> flushMicros) {
        long[] s = micros.clone();
        Arrays.sort(s);
        long[] f = flushMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-46s p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms over %d flushes "
                        + "(the flush itself: p50 %.1f ms)%n", what, s[s.length / 2] / 1000.0, s[p99(s.length)] / 1000.0,
                s[s.length - 1] / 1000.0, s.length, f[f.length / 2] / 1000.0);
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}
