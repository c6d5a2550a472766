package io.famfsrocks.it;

import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./famfs-rocks sst-publish} end to end: a closed DB and external SSTs published and
 * read back with {@code replica get|scan|stat} (each mounting the device through FUSE in its
 * own JVM, as another host), reruns copying only new SSTs, dry run, refusals that change
 * nothing, and kill -9 or SIGTERM in the middle of a publication.
 */
class SstPublishIT {
    static final String MASTER = "aaaaaaaa-5555-0000-0000-000000000001";
    static final String CLIENT = "bbbbbbbb-5555-0000-0000-000000000002";
    static final Map<String, String> AS_MASTER = Map.of("FAMFS_SYSTEM_UUID", MASTER);
    static final Map<String, String> AS_CLIENT = Map.of("FAMFS_SYSTEM_UUID", CLIENT);
    static final java.util.regex.Pattern COPIED = java.util.regex.Pattern.compile("copied (\\d+) \\(.*\\), reused (\\d+)");

    Path dev;
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        dev = Path.of("/dev/shm/famfs-sstpub-it-" + UUID.randomUUID());
        tmp = Files.createTempDirectory("sstpub-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        assertThat(Launcher.mountsOf(dev)).as("no mount left behind").isEmpty();
        Files.deleteIfExists(dev);
        Launcher.deleteTree(tmp);
    }

    void mkfs(String size) throws Exception {
        Launcher.Run r = Launcher.run(AS_MASTER, "mkfs", "--size", size, dev.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    Launcher.Run publish(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "sst-publish";
        all[1] = "--device";
        all[2] = dev.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return Launcher.run(AS_MASTER, all);
    }

    Launcher.Run replica(String verb, String dataset, String... args) throws Exception {
        String[] all = new String[args.length + 6];
        all[0] = "replica";
        all[1] = verb;
        all[2] = "--device";
        all[3] = dev.toString();
        all[4] = "--dataset";
        all[5] = dataset;
        System.arraycopy(args, 0, all, 6, args.length);
        return Launcher.run(AS_CLIENT, all);
    }

    static long[] copiedReused(Launcher.Run r) {
        Matcher m = COPIED.matcher(r.out());
        assertThat(m.find()).as(r.toString()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    void closedDbIsPublishedAndARerunCopiesOnlyTheNewSsts() throws Exception {
        mkfs("1g");
        Path db = tmp.resolve("db");
        TestDbs.write(db, 0, 2000, 1, 500, 0);
        Launcher.Run r = publish("--dataset", "db1", "--db", db.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("published version 1 of dataset db1");
        assertThat(copiedReused(r)[0]).isEqualTo(4);

        Launcher.Run get = replica("get", "db1", "k00000042");
        assertThat(get.code()).as(get.toString()).isZero();
        assertThat(get.out().trim()).isEqualTo("v42.1");

        TestDbs.write(db, 2000, 3000, 1, 500, 0);
        r = publish("--dataset", "db1", "--db", db.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("published version 2 of dataset db1");
        assertThat(copiedReused(r)).containsExactly(2, 4);

        Launcher.Run stat = replica("stat", "db1", "--json", "--count");
        assertThat(stat.code()).as(stat.toString()).isZero();
        assertThat(stat.out()).contains("\"version\": 2").contains("\"ssts\": 6").contains("\"keys\": 3000")
                .contains("\"current\": true");
        Launcher.Run scan = replica("scan", "db1", "--from", "k00002498", "--limit", "3");
        assertThat(scan.code()).as(scan.toString()).isZero();
        assertThat(scan.out()).isEqualTo("k00002498\tv2498.1\nk00002499\tv2499.1\nk00002500\tv2500.1\n");
        Launcher.Run missing = replica("get", "db1", "k99999999");
        assertThat(missing.code()).as(missing.toString()).isEqualTo(3);
        Launcher.Run noDataset = replica("get", "nope", "k1");
        assertThat(noDataset.code()).as(noDataset.toString()).isEqualTo(3);
        assertThat(noDataset.err()).contains("no dataset nope");
    }

    @Test
    void externalSstsAreIngestedIntoAStagingDbAndARerunSkipsFilesAlreadyIngested() throws Exception {
        mkfs("1g");
        Path f1 = TestDbs.sst(tmp.resolve("a.sst"), 0, 1000, 1);
        Path f2 = TestDbs.sst(tmp.resolve("b.sst"), 1000, 2000, 1);
        String staging = tmp.resolve("staging").toString();
        Launcher.Run r = publish("--dataset", "bulk", "--staging", staging, "--sst", f1.toString(), f2.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(copiedReused(r)[0]).isEqualTo(2);
        assertThat(replica("get", "bulk", "k00001500").out().trim()).isEqualTo("v1500.1");

        Path f3 = TestDbs.sst(tmp.resolve("c.sst"), 2000, 2500, 2);
        r = publish("--dataset", "bulk", "--staging", staging, f1.toString(), f3.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("skipping " + f1);
        assertThat(copiedReused(r)).containsExactly(1, 2);
        Launcher.Run stat = replica("stat", "bulk", "--json", "--count");
        assertThat(stat.out()).as(stat.toString()).contains("\"version\": 2").contains("\"ssts\": 3")
                .contains("\"keys\": 2500");
        assertThat(replica("get", "bulk", "k00002100").out().trim()).isEqualTo("v2100.2");
    }

    @Test
    void dryRunPrintsWhatIsNeededAndShortSpaceOrLogIsRefusedChangingNothing() throws Exception {
        mkfs("96m");
        Path db = tmp.resolve("db");
        TestDbs.write(db, 0, 2000, 1, 500, 8192); // 4 SSTs of about 4 MiB
        Launcher.Run r = publish("--dataset", "db1", "--db", db.toString(), "--dry-run", "--journal-size", "1m");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("dry run").contains("4 SSTs").contains("4 to copy").contains("log entries")
                .contains("famfs has room");
        String before = Launcher.run(AS_MASTER, "df", "--json", dev.toString()).out();

        r = publish("--dataset", "db1", "--db", db.toString()); // 64 MiB journal + reserve: too big
        assertThat(r.code()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("lacks space").contains("nothing was changed");
        assertThat(Launcher.run(AS_MASTER, "df", "--json", dev.toString()).out()).isEqualTo(before);
        assertThat(Launcher.run(AS_MASTER, "ls", "--device", dev.toString(), "/db1").code()).isEqualTo(3);
        r = publish("--dataset", "db1", "--db", db.toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isEqualTo(5);
        assertThat(r.out()).contains("needs");

        try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(MASTER))) {
            long left = v.logSlots() - v.appliedEntries();
            for (long i = 0; i < left - 5; i++) {
                v.mkdir("d" + i, CreateOptions.dir());
            }
        }
        String filled = Launcher.run(AS_MASTER, "df", "--json", dev.toString()).out();
        r = publish("--dataset", "db1", "--db", db.toString(), "--journal-size", "1m");
        assertThat(r.code()).as(r.toString()).isEqualTo(6);
        assertThat(r.err()).contains("log lacks entries");
        assertThat(Launcher.run(AS_MASTER, "df", "--json", dev.toString()).out()).isEqualTo(filled);
        assertThat(filled).isNotEqualTo(before);
        assertThat(Launcher.run(AS_MASTER, "ls", "--device", dev.toString(), "/db1").code()).isEqualTo(3);
    }

    @Test
    void aLiveDbIsPublishedThroughACheckpointOfWhatItHasFlushed() throws Exception {
        mkfs("1g");
        Path db = tmp.resolve("live");
        TestDbs.write(db, 0, 1000, 1, 500, 0);
        try (org.rocksdb.Options o = new org.rocksdb.Options().setDisableAutoCompactions(true);
             org.rocksdb.RocksDB live = org.rocksdb.RocksDB.open(o, db.toString())) {
            live.put(TestDbs.key(5000), "unflushed".getBytes(StandardCharsets.US_ASCII));
            Launcher.Run r = publish("--dataset", "live1", "--db", db.toString());
            assertThat(r.code()).as("the DB is locked by its owner: " + r).isEqualTo(16);
            r = publish("--dataset", "live1", "--db", db.toString(), "--live");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(copiedReused(r)[0]).isEqualTo(2);
            try (org.rocksdb.FlushOptions fo = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
                live.flush(fo);
            }
            r = publish("--dataset", "live1", "--db", db.toString(), "--live");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(copiedReused(r)).containsExactly(1, 2);
        }
        assertThat(replica("get", "live1", "k00005000").out().trim()).isEqualTo("unflushed");
        assertThat(Files.list(tmp).filter(f -> f.getFileName().toString().startsWith(".famfs-checkpoint")).count())
                .as("checkpoints are removed").isZero();
    }

    @Test
    void killNineMidPublishLeavesNoVersionAndTheRerunReusesWhatWasCopied() throws Exception {
        stopMidPublish(true);
    }

    /** SIGTERM, as Ctrl-C (SIGINT runs the same shutdown hooks; a background test JVM may ignore SIGINT). */
    @Test
    void terminatedMidPublishStopsPromptlyLeavesNoVersionAndTheRerunReusesWhatWasCopied() throws Exception {
        stopMidPublish(false);
    }

    private void stopMidPublish(boolean kill) throws Exception {
        mkfs("2g");
        Path db = tmp.resolve("db");
        int ssts = 250;
        TestDbs.write(db, 0, ssts * 40, 1, 40, 4000); // 250 SSTs of about 160 KiB
        Process p = Launcher.builder(AS_MASTER, "sst-publish", "--device", dev.toString(), "--dataset", "db1",
                "--db", db.toString()).start();
        CompletableFuture<String> out = Launcher.drain(p.getInputStream());
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String seen = null;
        for (String l; (l = err.readLine()) != null; ) {
            if (l.matches("sst-publish: copied [1-9]\\d* of \\d+ SSTs.*")) {
                seen = l;
                if (kill) {
                    p.destroyForcibly(); // SIGKILL
                } else {
                    p.destroy(); // SIGTERM
                }
                break;
            }
        }
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("stopped within 30 s").isTrue();
        assertThat(seen).as("a progress line before the end; stdout: " + out.getNow("")).isNotNull();
        assertThat(p.exitValue()).as("stopped, not finished: " + out.getNow("")).isEqualTo(kill ? 137 : 143);
        assertThat(out.getNow("")).as("no success line").doesNotContain("published version");

        Launcher.Run stat = replica("stat", "db1");
        assertThat(stat.code()).as("no version is visible: " + stat).isEqualTo(3);
        Launcher.Run fsck = Launcher.run(AS_MASTER, "fsck", dev.toString());
        assertThat(fsck.code()).as(fsck.toString()).isZero();

        Launcher.Run r = publish("--dataset", "db1", "--db", db.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        long[] cr = copiedReused(r);
        assertThat(cr[1]).as("SSTs fully copied before the kill are reused: " + seen).isPositive();
        assertThat(cr[0] + cr[1]).isEqualTo(ssts);
        stat = replica("stat", "db1", "--json", "--count");
        assertThat(stat.out()).as(stat.toString()).contains("\"version\": 1").contains("\"ssts\": " + ssts)
                .contains("\"keys\": " + ssts * 40);
        System.out.printf("%s after '%s'; rerun copied %d and reused %d of %d SSTs%n", kill ? "kill -9" : "SIGTERM", seen,
                cr[0], cr[1], ssts);
    }
}
