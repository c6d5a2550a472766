package io.famfsrocks.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 3: a corrupt SST. Published and then scanned, it used to give short results
 * with exit 0 (the loops stopped at {@code !isValid()} without checking the iterator's
 * status). Now {@code replica scan} and {@code replica stat --count} fail with
 * CORRUPT_MEDIA (8) naming the SST; and {@code sst-publish} verifies every block checksum of
 * an SST before publishing it, so a DB with a corrupt SST is refused (8, naming the file)
 * and no version is published.
 */
class CorruptSstIT {
    static final Map<String, String> AS_MASTER = Map.of("FAMFS_SYSTEM_UUID", "aaaaaaaa-1314-0000-0000-000000000001");
    static final Map<String, String> AS_CLIENT = Map.of("FAMFS_SYSTEM_UUID", "bbbbbbbb-1314-0000-0000-000000000002");
    static final Pattern EXTENT = Pattern.compile("(?m)^\\t\\t([0-9a-f]+)\\t(\\d+)$");

    Path dev;
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        dev = Path.of("/dev/shm/famfs-corruptsst-it-" + UUID.randomUUID());
        tmp = Files.createTempDirectory("corruptsst-it");
        Launcher.Run r = Launcher.run(AS_MASTER, "mkfs", "--size", "256m", dev.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @AfterEach
    void tearDown() throws Exception {
        assertThat(Launcher.mountsOf(dev)).as("no mount left behind").isEmpty();
        Files.deleteIfExists(dev);
        Launcher.deleteTree(tmp);
    }

    static void flip8(RandomAccessFile f, long at) throws Exception {
        byte[] b = new byte[8];
        f.seek(at);
        f.readFully(b);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ~b[i];
        }
        f.seek(at);
        f.write(b);
    }

    static List<Path> ssts(Path db) throws Exception {
        try (Stream<Path> s = Files.list(db)) {
            return s.filter(p -> p.toString().endsWith(".sst")).sorted().toList();
        }
    }

    @Test
    void aCorruptSharedSstFailsScansLoudlyNamingTheFile() throws Exception {
        Path db = tmp.resolve("db");
        TestDbs.write(db, 0, 20_000, 1, 5_000, 100);
        Launcher.Run r = Launcher.run(AS_MASTER, "sst-publish", "--device", dev.toString(), "--dataset", "db1",
                "--db", db.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        r = Launcher.run(AS_CLIENT, "replica", "stat", "--device", dev.toString(), "--dataset", "db1", "--count");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("20000");

        // Item 8: the published files are 0444; creat -r --overwrite (or a write through a mount) cannot rewrite them.
        String name = ssts(db).get(1).getFileName().toString();
        r = Launcher.run(AS_MASTER, "creat", "-s", Long.toString(Files.size(ssts(db).get(1))), "-r", "--overwrite",
                "--device", dev.toString(), "/db1/sst/" + name);
        assertThat(r.code()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("no write bits");
        r = Launcher.run(AS_CLIENT, "replica", "stat", "--device", dev.toString(), "--dataset", "db1", "--count");
        assertThat(r.code()).as("the dataset is intact: " + r).isZero();

        // Flip 8 bytes in the middle of the second SST's famfs copy.
        r = Launcher.run(AS_MASTER, "getmap", "--device", dev.toString(), "/db1/sst/" + name);
        assertThat(r.code()).as(r.toString()).isZero();
        Matcher m = EXTENT.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        long offset = Long.parseLong(m.group(1), 16);
        long size = Files.size(ssts(db).get(1));
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            flip8(f, offset + size / 2);
        }

        r = Launcher.run(AS_CLIENT, "replica", "scan", "--device", dev.toString(), "--dataset", "db1",
                "--limit", "100000");
        assertThat(r.code()).as(r.toString()).isEqualTo(8);
        assertThat(r.err()).as(r.toString()).contains(name).contains("orruption");
        assertThat(r.err()).doesNotContain("\tat ");
        r = Launcher.run(AS_CLIENT, "replica", "stat", "--device", dev.toString(), "--dataset", "db1", "--count");
        assertThat(r.code()).as(r.toString()).isEqualTo(8);
        assertThat(r.err()).as(r.toString()).contains(name);
    }

    @Test
    void sstPublishRefusesADbWithACorruptSst() throws Exception {
        Path db = tmp.resolve("db");
        TestDbs.write(db, 0, 20_000, 1, 5_000, 100);
        Path bad = ssts(db).get(2);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            flip8(f, f.length() / 2);
        }
        long t0 = System.nanoTime();
        Launcher.Run r = Launcher.run(AS_MASTER, "sst-publish", "--device", dev.toString(), "--dataset", "db1",
                "--db", db.toString());
        System.out.printf("sst-publish of a DB with a corrupt SST: exit %d after %d ms%n", r.code(),
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(r.code()).as(r.toString()).isEqualTo(8);
        assertThat(r.err()).as(r.toString()).contains(bad.getFileName().toString()).contains("corrupt");
        assertThat(r.err()).doesNotContain("\tat ");
        r = Launcher.run(AS_CLIENT, "replica", "get", "--device", dev.toString(), "--dataset", "db1", "k00000001");
        assertThat(r.code()).as("no version was published: " + r).isEqualTo(3);
    }

    /** The cost of the verification, measured: one more read of the SST, compared with a plain read. */
    @Test
    void verifyingAnSstCostsAboutOneReadOfIt() throws Exception {
        Path db = tmp.resolve("big");
        TestDbs.write(db, 0, 150_000, 1, 150_000, 400);
        Path sst = ssts(db).get(0);
        long size = Files.size(sst);
        byte[] buf = new byte[1 << 20];
        long readNs = Long.MAX_VALUE;
        long verifyNs = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            try (java.io.InputStream in = Files.newInputStream(sst)) {
                while (in.read(buf) >= 0) {
                    // read only
                }
            }
            long t1 = System.nanoTime();
            io.famfsrocks.rocks.publish.SstVerifier.verify(sst);
            long t2 = System.nanoTime();
            readNs = Math.min(readNs, t1 - t0);
            verifyNs = Math.min(verifyNs, t2 - t1);
        }
        System.out.printf("SST verification: %d MiB, plain read %.0f MB/s, block-checksum verify %.0f MB/s (page-cached; "
                + "best of 3)%n", size >> 20, size / 1e6 / (readNs / 1e9), size / 1e6 / (verifyNs / 1e9));
        try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
            flip8(f, f.length() / 3);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.famfsrocks.rocks.publish.SstVerifier.verify(sst))
                .hasMessageContaining(sst.getFileName().toString()).hasMessageContaining("corrupt");
    }
}
