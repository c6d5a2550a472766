package io.famfsrocks.it;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fuse.FamfsMount;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalHeader;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bit of a sample of bytes in each on-media struct (superblock, log header, a
 * directory's, a file's and the journal's log entries, the version journal's header and
 * both of its records), flipped one at a time on a device holding a published dataset.
 * After each flip: fsck, open, a real FUSE mount (reading a file through it) and a replica
 * open each either fail with the corrupt-media error naming an offset, or carry on with
 * exactly the answers of the intact image. Never an unexpected exception, a hang or a wrong
 * answer; fsck never calls a flipped CRC-covered byte clean.
 */
class CorruptMediaIT {
    static final int KEYS = 2000;
    static final int BYTES_PER_STRUCT = Integer.getInteger("corrupt.bytes", 5);

    /** {@code crcCovered}: bytes from the struct's start that a CRC covers (fsck must flag a flip there). */
    record Struct(String name, long offset, int length, boolean famfs, int crcCovered) {
        boolean covered(long off) {
            return off - offset < crcCovered;
        }
    }

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "corrupt-media-op");
        t.setDaemon(true);
        return t;
    });

    @Test
    void everyFlippedBitIsReportedAsCorruptOrChangesNoAnswer() throws Exception {
        FuseAvailable.require(); // the mount checks need FUSE
        String master = UUID.randomUUID().toString();
        OpenOptions client = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
        Path dev = Path.of("/dev/shm", "famfs-corrupt-" + UUID.randomUUID());
        Path work = Files.createTempDirectory(Path.of("/dev/shm"), "famfs-corrupt-work");
        Path mp = Files.createTempDirectory("famfs-corrupt-mp");
        try {
            MemoryDevice.createFile(dev, 1L << 30);
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(master));
            byte[] plain = new byte[3 << 20];
            new Random(5).nextBytes(plain);
            publish(dev, master, work.resolve("primary"), plain);

            TreeMap<String, String> pristine;
            List<Struct> structs = new ArrayList<>();
            try (FamfsVolume v = Famfs.open(dev, client)) {
                pristine = listing(v);
                structs.add(new Struct("superblock", 0, Superblock.SIZE, true, Superblock.CRC_COVERED + 8));
                structs.add(new Struct("log header", FamfsLayout.LOG_OFFSET, LogHeader.SIZE, true, LogHeader.OFF_CRC + 8));
                for (String p : List.of("plain", "plain/data", DatasetPaths.journal("ds", 0))) {
                    long i = v.stat(p).logIndex();
                    structs.add(new Struct("log entry " + i + " (" + p + ")", FamfsLayout.logEntryOffset(i),
                            LogEntry.SIZE, true, LogEntry.SIZE));
                }
                FamfsFile j = v.openFile(DatasetPaths.journal("ds", 0));
                structs.add(new Struct("journal header", j.deviceOffset(0), JournalHeader.COMMITTED_OFFSET + 8,
                        false, 0));
                long committed = j.mappedView().order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(JournalHeader.COMMITTED_OFFSET);
                long first = JournalHeader.DATA_START;
                int firstLen = j.mappedView().order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt((int) first);
                long second = first + ((12L + firstLen + 7) & ~7L);
                structs.add(new Struct("journal record 1", j.deviceOffset(first), (int) (second - first), false, 0));
                structs.add(new Struct("journal record 2", j.deviceOffset(second), (int) (committed - second), false, 0));
            }
            Random r = new Random(48);
            int flips = 0;
            int detected = 0;
            int carriedOn = 0;
            List<String> failures = new ArrayList<>();
            long t0 = System.nanoTime();
            try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
                for (Struct s : structs) {
                    for (long off : sample(s, r)) {
                        f.seek(off);
                        int old = f.read();
                        for (int bit = 0; bit < 8; bit++) {
                            f.seek(off);
                            f.write(old ^ (1 << bit));
                            String where = String.format("%s: bit %d of byte 0x%x", s.name(), bit, off);
                            flips++;
                            try {
                                if (check(dev, client, s, s.covered(off), pristine, plain, mp,
                                        work.resolve("replica-" + flips))) {
                                    detected++;
                                } else {
                                    carriedOn++;
                                }
                            } catch (AssertionError | Exception e) {
                                failures.add(where + ": " + e);
                            }
                        }
                        f.seek(off);
                        f.write(old);
                    }
                }
            }
            System.out.printf("corrupt media: %d flips in %d structs (%d bytes each, every bit): %d reported as corrupt "
                            + "naming an offset, %d changed no answer; %d failures; %.1f s%n", flips, structs.size(),
                    BYTES_PER_STRUCT, detected, carriedOn, failures.size(), (System.nanoTime() - t0) / 1e9);
            assertThat(failures).as("crashes, hangs or wrong answers").isEmpty();
            assertThat(detected).as("flips detected").isGreaterThan(flips / 2);
            assertThat(Fsck.check(dev, client).clean()).as("the restored image").isTrue();
        } finally {
            pool.shutdownNow();
            Files.deleteIfExists(dev);
            Files.deleteIfExists(mp);
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {@code BYTES_PER_STRUCT} distinct offsets: the first byte, the last, and random ones between. */
    static List<Long> sample(Struct s, Random r) {
        java.util.TreeSet<Long> offs = new java.util.TreeSet<>(List.of(s.offset(), s.offset() + s.length() - 1));
        while (offs.size() < Math.min(BYTES_PER_STRUCT, s.length())) {
            offs.add(s.offset() + r.nextInt(s.length()));
        }
        return List.copyOf(offs);
    }

    /**
     * Runs each operation on the flipped image; true when one of them reported the corruption.
     * Throws on a crash, a hang or a wrong answer.
     */
    private boolean check(Path dev, OpenOptions client, Struct s, boolean covered, TreeMap<String, String> pristine,
                                byte[] plain, Path mp, Path replicaDir) throws Exception {
        Fsck.Report rep = timed("fsck", () -> Fsck.check(dev, client));
        if (covered && rep.clean()) {
            throw new AssertionError("fsck calls a flipped CRC-covered byte clean");
        }
        boolean detected = !rep.clean();
        FamfsVolume v;
        try {
            v = timed("open", () -> Famfs.open(dev, client));
        } catch (FamfsException e) {
            expectCorrupt("open", e);
            return true;
        }
        try (FamfsVolume vol = v) {
            // Replay stops at an entry that does not decode: the mount must refuse that partial view.
            boolean partial = vol.replayError() != null;
            if (!partial) {
                assertThat(listing(vol)).as("namespace after open").isEqualTo(pristine);
            }
            detected |= partial;
            if (s.famfs() && partial) {
                try {
                    timed("mount", () -> FamfsMount.mount(vol, mp, FamfsMount.Options.defaults())).close();
                    throw new AssertionError("mounted a partially replayed log");
                } catch (FamfsException e) {
                    expectCorrupt("mount", e);
                }
            } else if (s.famfs()) {
                timed("mount and read", () -> {
                    try (FamfsMount m = FamfsMount.mount(vol, mp, FamfsMount.Options.defaults())) {
                        assertThat(Files.readAllBytes(m.mountPoint().resolve("plain/data"))).as("file read through the mount")
                                .isEqualTo(plain);
                        try (Stream<Path> l = Files.list(m.mountPoint())) {
                            assertThat(l.map(p -> p.getFileName().toString())).contains("plain", "ds");
                        }
                    }
                    return null;
                });
            }
            if (!s.famfs() || partial) {
                try {
                    timed("replica open", () -> {
                        try (FamfsReplica rep2 = FamfsReplica.open(vol, "ds", new ExportedSharedFiles(vol, replicaDir.resolve("ssts")),
                                replicaDir.resolve("work"), ReplicaConfig.defaults().withOpenTimeout(Duration.ofSeconds(1)))) {
                            long version = rep2.freshness().appliedVersion();
                            assertThat(version).as("applied version").isBetween(1L, 2L);
                            for (int i = 0; i < KEYS; i += 97) {
                                assertThat(new String(rep2.get(TestDbs.key(i)), StandardCharsets.US_ASCII))
                                        .as("key %d at version %d", i, version).isEqualTo(TestDbs.value(i, (int) version));
                            }
                        }
                        return null;
                    });
                    if (partial) {
                        throw new AssertionError("opened a replica on a partially replayed log");
                    }
                } catch (FamfsException e) {
                    expectCorrupt("replica open", e);
                    detected = true;
                }
            }
        }
        return detected;
    }

    private static void expectCorrupt(String op, FamfsException e) {
        ErrorKind kind = e.kind();
        assertThat(kind).as(op + ": " + e.getMessage()).isIn(ErrorKind.CORRUPT_MEDIA, ErrorKind.VERSION_MISMATCH,
                ErrorKind.NOT_FAMFS);
        if (kind == ErrorKind.CORRUPT_MEDIA) {
            assertThat(e.getMessage()).as(op).containsPattern("offset 0x[0-9a-f]+");
        }
    }

    private <T> T timed(String op, Callable<T> call) throws Exception {
        Future<T> f = pool.submit(call);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError(op + " hung (30 s)");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof FamfsException) {
                throw (RuntimeException) c;
            }
            if (c instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(op + " crashed: " + c, c);
        }
    }

    static TreeMap<String, String> listing(FamfsVolume v) {
        TreeMap<String, String> m = new TreeMap<>();
        walk(v, "", m);
        return m;
    }

    private static void walk(FamfsVolume v, String dir, TreeMap<String, String> m) {
        for (Node n : v.list(dir)) {
            m.put(n.path(), n instanceof Node.File f ? "file " + f.size() + " " + f.entry().layout() : "dir " + n);
            if (n instanceof Node.Dir) {
                walk(v, n.path(), m);
            }
        }
    }

    /** A plain file, then dataset "ds" with two versions: keys written with generation 1, then 2. */
    private static void publish(Path dev, String master, Path dbDir, byte[] plain) throws Exception {
        RocksDB.loadLibrary();
        try (MasterVolume m = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(master));
             Options o = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true)) {
            m.mkdir("plain", CreateOptions.dir());
            m.create("plain/data", plain.length, CreateOptions.file());
            m.openWritable("plain/data").write(0, ByteBuffer.wrap(plain));
            FamfsPublisher pub = FamfsPublisher.attach(o, m, "ds", PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(o, dbDir.toString()); FamfsPublisher p = pub;
                 WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                for (int gen = 1; gen <= 2; gen++) {
                    for (int i = 0; i < KEYS; i++) {
                        db.put(wo, TestDbs.key(i), TestDbs.value(i, gen).getBytes(StandardCharsets.US_ASCII));
                    }
                    db.flush(fo);
                    if (gen == 1) {
                        p.start(db);
                    } else {
                        assertThat(p.publishNow(30_000)).isEqualTo(2);
                    }
                }
            }
        }
    }
}
