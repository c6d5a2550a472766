package io.famfsrocks.it;

import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.cli.rocks.ViewChecker;
import io.famfsrocks.cli.rocks.WorkloadModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every crash point of the version journal and the publisher, hit exactly: a publishing
 * primary process armed with {@code FAMFS_FAULT=POINT@N} writes and flushes a batch, publishes,
 * prints "published V counter C" for each version it was told of, and halts at the point (exit
 * code {@value FaultPoint#EXIT_CODE} and the marker line, or the test fails). Then, in this
 * process: fsck clean; the journal holds versions 1..K with no gap, exactly the ones the
 * point leaves committed (never fewer than reported, never the one interrupted); the newest
 * version's SSTs whole (size and CRC32C as published); a replica shows the newest version,
 * every key equal to the workload model at a counter at or beyond the newest reported; a new
 * publisher on the same DB publishes version K+1 next (reusing copies the dead one left), and
 * the replica follows it.
 */
class PublishFaultPointWalkIT {
    static final int SLOTS = 2000;
    static final long JOURNAL = 128L << 10;
    static final Pattern PUBLISHED = Pattern.compile("published (\\d+) counter (\\d+)");
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rocks-fault-test");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** No automatic compactions: each publication is one flush, so the N-th hit is a known version. */
    static Options options() {
        return new Options().setCreateIfMissing(true).setDisableAutoCompactions(true);
    }

    static PublisherConfig config() {
        return PublisherConfig.defaults().withJournalSize(JOURNAL).withPublishInterval(Duration.ZERO);
    }

    static long writeAndFlush(RocksDB db, WorkloadModel model, int n) throws Exception {
        try (WriteBatch b = new WriteBatch(); WriteOptions wo = new WriteOptions();
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            model.nextBatch(b, n);
            db.write(wo, b);
            db.flush(fo);
        }
        return model.counter();
    }

    /** Child: {@code DEVICE DB ROUNDS}; publishes the DB, then ROUNDS more flushed batches. */
    public static void main(String[] args) throws Exception {
        RocksDB.loadLibrary();
        Path dev = Path.of(args[0]);
        int rounds = Integer.parseInt(args[2]);
        try (MasterVolume master = Famfs.openMaster(dev, OpenOptions.defaults())) {
            primary(master, args[1], rounds, (v, c) -> {
                System.out.println("published " + v + " counter " + c);
                System.out.flush();
            });
        }
        System.out.println("finished");
    }

    interface Reporter {
        void published(long version, long counter) throws Exception;
    }

    /** Opens the DB, writes a batch, starts a publisher, then {@code rounds} batches published one by one. */
    static PublisherMetrics primary(MasterVolume master, String dbDir, int rounds, Reporter out) throws Exception {
        WorkloadModel model = new WorkloadModel(SLOTS);
        try (Options opts = options()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, master, "db1", config());
            try (RocksDB db = RocksDB.open(opts, dbDir); FamfsPublisher p = pub) {
                byte[] c = db.get(WorkloadModel.COUNTER_KEY);
                if (c != null) {
                    model.advanceTo(WorkloadModel.decodeCounter(c));
                }
                long counter = writeAndFlush(db, model, 1000);
                pub.start(db);
                out.published(pub.publishNow(30_000), counter);
                for (int i = 0; i < rounds; i++) {
                    counter = writeAndFlush(db, model, 300);
                    out.published(pub.publishNow(30_000), counter);
                }
                assertThat(pub.metrics().state()).isEqualTo("RUNNING");
                return pub.metrics();
            }
        }
    }

    record Death(long reportedVersion, long reportedCounter) { }

    /** Runs the child armed at {@code spec}; checks it died there; returns what it reported. */
    Death runToDeath(TestDevice dev, String spec, int rounds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PublishFaultPointWalkIT.class.getName(),
                dev.path.toString(), tmp.resolve("db").toString(), Integer.toString(rounds)).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", dev.master);
        pb.environment().put(FaultPoint.ENV, spec);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child armed at " + spec + " did not exit: " + out);
        }
        String point = spec.substring(0, spec.indexOf('@'));
        String hit = spec.substring(spec.indexOf('@') + 1);
        assertThat(out).as("child output").contains(FaultPoint.MARKER + point + " (hit " + hit + ")");
        assertThat(p.exitValue()).as("exit code of a child armed at %s: %s", spec, out).isEqualTo(FaultPoint.EXIT_CODE);
        long v = 0;
        long c = 0;
        Matcher m = PUBLISHED.matcher(out);
        while (m.find()) {
            v = Math.max(v, Long.parseLong(m.group(1)));
            c = Math.max(c, Long.parseLong(m.group(2)));
        }
        return new Death(v, c);
    }

    /** The versions in the journal chain, checked to be 1..K, the newest one's SSTs whole. */
    static List<JournalRecord.Version> journal(FamfsVolume v) {
        v.refresh();
        List<JournalRecord.Version> versions = new ArrayList<>();
        JournalReader jr = new JournalReader(v, "db1");
        boolean readable;
        try {
            jr.startAt(0);
            readable = true;
        } catch (io.famfsrocks.rocks.BridgeException e) {
            readable = false; // no journal.0000, or it has no header yet (its magic is written last)
        }
        if (readable) {
            for (JournalRecord rec : jr.poll()) {
                if (rec instanceof JournalRecord.Version ver) {
                    versions.add(ver);
                }
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i).version()).as("versions numbered without a gap").isEqualTo(i + 1);
        }
        if (!versions.isEmpty()) {
            for (SstEntry s : versions.get(versions.size() - 1).ssts()) {
                FamfsFile f = v.openFile(DatasetPaths.sst("db1", s.fileNumber()));
                assertThat(f.size()).isEqualTo(s.size());
                assertThat(Checksums.of(f)).as("CRC32C of %s", f.path()).isEqualTo(s.crc32c());
            }
        }
        return versions;
    }

    /**
     * Walks one point: the child dies at {@code spec}; the journal then holds exactly
     * {@code committed} versions (the reported ones plus {@code committed - reported} the
     * child committed but did not report); the next publisher and a replica carry on.
     */
    Death walk(String spec, int rounds, int expectCommittedBeyondReported, long expectVersions,
               java.util.function.BiConsumer<FamfsVolume, List<JournalRecord.Version>> media) throws Exception {
        try (TestDevice dev = new TestDevice(4L << 30)) {
            Death d = runToDeath(dev, spec, rounds);
            OpenOptions clientOpts = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
            Fsck.Report rep = Fsck.check(dev.path, clientOpts);
            assertThat(rep.defects()).as("fsck after %s", spec).isEmpty();
            assertThat(rep.warnings()).as("fsck warnings after %s", spec).isEmpty();
            try (FamfsVolume client = dev.openClient(); MasterVolume master = dev.openMaster()) {
                List<JournalRecord.Version> before = journal(client);
                if (expectVersions >= 0) {
                    assertThat(before).as("versions in the journal after dying at %s", spec).hasSize((int) expectVersions);
                }
                media.accept(client, before);
                assertThat((long) before.size()).as("committed versions after %s (reported %d)", spec, d.reportedVersion)
                        .isEqualTo(d.reportedVersion + expectCommittedBeyondReported);
                ViewChecker checker = new ViewChecker(SLOTS);
                FamfsReplica replica = null;
                try {
                    if (!before.isEmpty()) {
                        replica = FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                                tmp.resolve("replica"), ReplicaConfig.defaults());
                        assertThat(replica.freshness().appliedVersion()).isEqualTo(before.size());
                        assertThat(checker.check(replica)).as("replica's counter after %s", spec)
                                .isGreaterThanOrEqualTo(d.reportedCounter);
                    }
                    List<long[]> next = new ArrayList<>();
                    PublisherMetrics m = primary(master, tmp.resolve("db").toString(), 2,
                            (v, c) -> next.add(new long[] {v, c}));
                    assertThat(next.get(0)[0]).as("the next publisher's first version after %s", spec)
                            .isEqualTo(before.size() + 1);
                    assertThat(next.get(next.size() - 1)[0]).isEqualTo(before.size() + 3);
                    if (replica == null) {
                        replica = FamfsReplica.open(client, "db1", new ExportedSharedFiles(client, tmp.resolve("export")),
                                tmp.resolve("replica"), ReplicaConfig.defaults());
                    }
                    long want = before.size() + 3;
                    long deadline = System.currentTimeMillis() + 20_000;
                    while (replica.freshness().appliedVersion() < want) {
                        assertThat(System.currentTimeMillis()).as("replica reaches %d: %s", want, replica.freshness())
                                .isLessThan(deadline);
                        Thread.sleep(2);
                    }
                    assertThat(checker.check(replica)).isEqualTo(next.get(next.size() - 1)[1]);
                    lastMetrics = m;
                } finally {
                    if (replica != null) {
                        replica.close();
                    }
                }
                assertThat(journal(client)).hasSize(before.size() + 3);
            }
            Fsck.Report after = Fsck.check(dev.path, clientOpts);
            assertThat(after.defects()).isEmpty();
            assertThat(after.warnings()).isEmpty();
            return d;
        }
    }

    PublisherMetrics lastMetrics;

    @Test
    void journalHeaderWrittenBeforeItsMagic() throws Exception {
        // Hit 1: journal.0000's header, before any version. The next writer finishes the header.
        walk(JournalWriter.HEADER_BEFORE_MAGIC.name() + "@1", 3, 0, 0, (v, versions) ->
                assertThat(v.lookup(DatasetPaths.journal("db1", 0))).as("journal.0000 created").isInstanceOf(Node.File.class));
        assertThat(lastMetrics.versionsPublished()).isEqualTo(3);
    }

    @Test
    void journalRecordWrittenBeforeItsCommittedLength() throws Exception {
        // Hit 2: version 2's bytes are in the journal but not its length: version 1 only.
        walk(JournalWriter.RECORD_WRITTEN.name() + "@2", 3, 0, 1, (v, versions) -> { });
    }

    @Test
    void journalLengthCommittedBeforeThePublisherReportedIt() throws Exception {
        // Hit 2: version 2 is committed, never reported: it is kept, and the next one is 3.
        walk(JournalWriter.COMMITTED.name() + "@2", 3, 1, 2, (v, versions) -> { });
    }

    @Test
    void sstCopiedBeforeAnyRecordNamesIt() throws Exception {
        // Hit 2: the second SST of version 2 (the first SST, which version 1 named, is not copied again).
        walk(FamfsPublisher.SST_COPIED.name() + "@2", 3, 0, 1, (v, versions) ->
                assertThat(v.list(DatasetPaths.sstDir("db1"))).as("SSTs in famfs: version 1's and the unnamed copy")
                        .hasSize(versions.get(0).ssts().size() + 1));
        // Version 1's SST verified at start, and the dead publisher's copy found whole and not copied again.
        assertThat(lastMetrics.sstsReused()).as("SSTs reused by the next publisher").isEqualTo(2);
    }

    @Test
    void nextJournalCreatedBeforeTheFullOneIsSealed() throws Exception {
        // Versions grow (no compaction): a 128 KiB journal fills within the rounds; die when chaining.
        walk(JournalWriter.BEFORE_SEAL.name() + "@1", 400, 0, -1, (v, versions) ->
                assertThat(v.lookup(DatasetPaths.journal("db1", 1))).as("journal.0001 created").isInstanceOf(Node.File.class));
    }

    @Test
    void fullJournalSealedBeforeTheNextHoldsARecord() throws Exception {
        walk(JournalWriter.SEALED.name() + "@1", 400, 0, -1, (v, versions) ->
                assertThat(v.lookup(DatasetPaths.journal("db1", 1))).as("journal.0001 created").isInstanceOf(Node.File.class));
    }
}
