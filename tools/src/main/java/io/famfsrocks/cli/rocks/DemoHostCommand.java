package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.OptionsUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code demo-host} (hidden): one "host" of the demo, in its own JVM, driven by one command
 * per stdin line. With {@code --device} it is a replica host (its own system UUID from
 * {@code $FAMFS_SYSTEM_UUID}, its own read-only FUSE mount); with {@code --rocksdb DIR} it is
 * the lookup baseline: a read-only RocksDB of a local checkpoint of the same SSTs, opened with
 * the OPTIONS file the primary wrote (as the replica does) plus the replica's overrides
 * ({@code allow_mmap_reads}, {@code max_open_files=-1}), in a JVM started with the same flags.
 * It prints {@code READY ...}, then obeys:
 * <ul>
 * <li>{@code check COUNTER}: wait for the view to reach COUNTER, compare every key (a full
 *     scan) with the workload model; {@code CHECKED ...}</li>
 * <li>{@code bench OPS SEED COUNTER}: OPS lookups of random keys (the same keys for the same
 *     SEED on every host), each value compared with the model at COUNTER; {@code BENCH ops=
 *     nanos=}, or {@code WRONG ...} at the first value that differs</li>
 * <li>{@code await COUNTER}: poll the counter key until the view returns COUNTER or more;
 *     {@code SEEN counter= nanos=} with {@code System.nanoTime()} at that moment (Linux:
 *     CLOCK_MONOTONIC, the same clock in every process of the machine)</li>
 * <li>{@code quit}</li>
 * </ul>
 * End of input (the demo died) also closes the replica and unmounts. Not thread-safe: one
 * thread reads the commands and answers them in turn.
 */
@Command(name = "demo-host", hidden = true, description = "A host of the demo (driven over stdin).")
public final class DemoHostCommand extends Verb {
    /** One device, or the demo's pool (given twice or more: the host follows the dataset's epochs). */
    @Option(names = {"-D", "--device"})
    List<Path> devices = new ArrayList<>();

    @Option(names = "--dataset")
    String dataset;

    @Option(names = "--rocksdb", description = "Be the baseline: a read-only RocksDB of this checkpoint.")
    Path rocksdb;

    @Option(names = "--slots", required = true)
    int slots;

    /** What the commands read: a replica, or the baseline's read-only RocksDB. */
    private interface View {
        byte[] get(byte[] key);

        /** A full scan compared with the model; returns the counter the view reflects. */
        long check();
    }

    private WorkloadModel model;

    @Override
    protected ExitCode run() throws Exception {
        if (rocksdb != null) {
            return baseline();
        }
        ReplicaConfig cfg = ReplicaConfig.defaults().withOpenTimeout(Duration.ofSeconds(120))
                .withPollInterval(Duration.ofMillis(2));
        boolean pool = devices.size() >= 2;
        try (ReplicaSession s = pool ? ReplicaSession.openPool(devices, dataset, openOptions(), cfg)
                : ReplicaSession.open(devices.get(0), null, dataset, openOptions(), cfg, true)) {
            FamfsReplica r = s.replica();
            ViewChecker checker = new ViewChecker(slots);
            View v = new View() {
                @Override
                public byte[] get(byte[] key) {
                    return r.get(key);
                }

                @Override
                public long check() {
                    return checker.check(r);
                }
            };
            // Over a pool each epoch has its own mount, which changes at every switch: no page-cache figure.
            reply("READY version=" + r.freshness().appliedVersion() + " mount=" + (pool ? "none" : s.mountPoint()));
            return serve(v, () -> r.freshness().appliedVersion());
        }
    }

    private ExitCode baseline() throws Exception {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (ConfigOptions co = new ConfigOptions(); DBOptions dbo = new DBOptions()) {
            OptionsUtil.loadLatestOptions(co, rocksdb.toString(), dbo, cfs);
            dbo.setCreateIfMissing(false).setMaxOpenFiles(-1).setAllowMmapReads(true).setSkipStatsUpdateOnDbOpen(true);
            try (RocksDB db = RocksDB.openReadOnly(dbo, rocksdb.toString(), cfs, handles)) {
                ColumnFamilyHandle cf = handles.get(0);
                View v = new View() {
                    @Override
                    public byte[] get(byte[] key) {
                        try {
                            return db.get(cf, key);
                        } catch (RocksDBException e) {
                            throw new IllegalStateException(e.getMessage(), e);
                        }
                    }

                    @Override
                    public long check() {
                        try (RocksIterator it = db.newIterator(cf)) {
                            return scanCheck(it);
                        }
                    }
                };
                reply("READY mount=none");
                return serve(v, () -> 0L);
            } finally {
                for (ColumnFamilyHandle h : handles) {
                    h.close();
                }
                for (ColumnFamilyDescriptor d : cfs) {
                    d.getOptions().close();
                }
            }
        }
    }

    private ExitCode serve(View v, java.util.function.LongSupplier version) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "check" -> check(v, Long.parseLong(w[1]), version);
                    case "bench" -> bench(v, Integer.parseInt(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]));
                    case "await" -> await(v, Long.parseLong(w[1]));
                    case "soak" -> soak(v, Long.parseLong(w[1]));
                    case "quit" -> {
                        return ExitCode.OK;
                    }
                    default -> reply("FAILED unknown command " + w[0]);
                }
            } catch (RuntimeException | AssertionError e) {
                reply("FAILED " + e.getMessage());
            }
        }
        return ExitCode.OK;
    }

    /**
     * Full checks of the view against the model, one after the other, for {@code seconds}
     * while the primary keeps writing: {@code SOAKED checks= wrong= failed= counter=}. A check
     * that finds a difference is a wrong answer; one whose read failed (an epoch reused under
     * it, a replica busy switching) is failed, never wrong.
     */
    private void soak(View v, long seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long checks = 0;
        long wrong = 0;
        long failed = 0;
        long counter = 0;
        String firstWrong = null;
        while (System.nanoTime() - end < 0) {
            try {
                counter = Math.max(counter, v.check());
                checks++;
            } catch (AssertionError e) {
                wrong++;
                firstWrong = firstWrong == null ? e.getMessage() : firstWrong;
            } catch (RuntimeException e) {
                failed++;
            }
        }
        reply("SOAKED checks=" + checks + " wrong=" + wrong + " failed=" + failed + " counter=" + counter
                + (firstWrong == null ? "" : " first_wrong=" + firstWrong.replace(' ', '_')));
    }

    private void check(View v, long counter, java.util.function.LongSupplier version) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + 120_000;
        while (WorkloadModel.decodeCounter(v.get(WorkloadModel.COUNTER_KEY)) < counter) {
            if (System.currentTimeMillis() > deadline) {
                reply("FAILED view stuck at counter " + WorkloadModel.decodeCounter(v.get(WorkloadModel.COUNTER_KEY))
                        + ", expected " + counter);
                return;
            }
            Thread.sleep(5);
        }
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        long c = v.check();
        reply("CHECKED counter=" + c + " keys=" + slots + " wait_ms=" + waitedMs + " check_ms="
                + (System.nanoTime() - t1) / 1_000_000 + " version=" + version.getAsLong());
    }

    /** The baseline's full scan: every key the model holds at the DB's counter, nothing else. */
    private long scanCheck(RocksIterator it) {
        it.seek(WorkloadModel.COUNTER_KEY);
        long c = it.isValid() && Arrays.equals(it.key(), WorkloadModel.COUNTER_KEY)
                ? WorkloadModel.decodeCounter(it.value()) : 0;
        WorkloadModel m = modelAt(c);
        int slot = 0;
        for (it.seekToFirst(); it.isValid(); it.next()) {
            byte[] k = it.key();
            if (Arrays.equals(k, WorkloadModel.COUNTER_KEY)) {
                continue;
            }
            int s = Integer.parseInt(new String(k, 4, k.length - 4, StandardCharsets.US_ASCII));
            for (; slot < s; slot++) {
                if (m.expected(slot) != null) {
                    throw new AssertionError("at counter " + c + " key " + slot + " is missing");
                }
            }
            byte[] want = m.expected(s);
            if (want == null || !Arrays.equals(want, it.value())) {
                throw new AssertionError("at counter " + c + " key " + s + " is " + text(it.value()) + ", expected "
                        + text(want));
            }
            slot = s + 1;
        }
        for (; slot < slots; slot++) {
            if (m.expected(slot) != null) {
                throw new AssertionError("at counter " + c + " key " + slot + " is missing");
            }
        }
        return c;
    }

    /**
     * {@code ops} lookups of random keys drawn from {@code seed}, timed; the expected values are
     * taken from the model before the clock starts, and every value returned is compared with
     * its expected one inside the timed loop (one {@code Arrays.equals}, the same on every host).
     */
    private void bench(View v, int ops, long seed, long counter) {
        WorkloadModel m = modelAt(counter);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] slotOf = new int[ops];
        byte[][] keys = new byte[ops][];
        byte[][] want = new byte[ops][];
        for (int i = 0; i < ops; i++) {
            slotOf[i] = rnd.nextInt(slots);
            keys[i] = WorkloadModel.key(slotOf[i]);
            want[i] = m.expected(slotOf[i]);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            byte[] got = v.get(keys[i]);
            if (!Arrays.equals(got, want[i])) {
                reply("WRONG key " + text(keys[i]) + " returned " + text(got) + ", the model at counter " + counter
                        + " expects " + text(want[i]) + " (lookup " + (i + 1) + " of " + ops + ", seed " + seed + ")");
                return;
            }
        }
        long nanos = System.nanoTime() - t0;
        reply("BENCH ops=" + ops + " nanos=" + nanos);
    }

    /** Polls the counter key every 0.2 ms until the view returns {@code counter} or more. */
    private void await(View v, long counter) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            long c = WorkloadModel.decodeCounter(v.get(WorkloadModel.COUNTER_KEY));
            if (c >= counter) {
                reply("SEEN counter=" + c + " nanos=" + System.nanoTime());
                return;
            }
            if (System.nanoTime() > deadline) {
                reply("FAILED counter " + counter + " not seen within 60 s (view at " + c + ")");
                return;
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private WorkloadModel modelAt(long counter) {
        if (model == null || model.counter() > counter) {
            model = new WorkloadModel(slots);
        }
        model.advanceTo(counter);
        return model;
    }

    private static String text(byte[] b) {
        return b == null ? "(absent)" : new String(b, StandardCharsets.US_ASCII);
    }

    private void reply(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
