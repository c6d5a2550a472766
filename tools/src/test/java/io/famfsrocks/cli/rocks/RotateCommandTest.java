package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Context;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Main;
import io.famfsrocks.cli.MountTable;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sst-publish} over a pool (repeated {@code --device}) and the {@code rotate} verb:
 * a request stored with no publisher running is acted on by the next one, once; a running
 * publisher notices it and the verb returns when the next epoch is active; pool errors
 * (PoolException reasons) exit with their ErrorKind's code, one line, no stack trace.
 */
class RotateCommandTest {
    static final String MASTER = "11111111-2222-3333-4444-555555555555";
    static final String OTHER = "99999999-8888-7777-6666-555555555555";
    private Path tmp;
    private Path a;
    private Path b;
    private Path db;

    record Result(int code, String out, String err) {
        Result expect(ExitCode c) {
            assertThat(code).as("exit code; out=%s err=%s", out, err).isEqualTo(c.code());
            assertThat(err).as("no stack trace").doesNotContain("\tat ");
            return this;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context ctx = Context.system().withMounts(() -> MountTable.parse(List.of())).withDefaultDevice(null);
        int code = Main.run(ctx, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result as(String uuid, String verb, String... args) {
        List<String> all = new ArrayList<>(List.of(verb, "--system-uuid", uuid));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    @BeforeEach
    void setUp() throws Exception {
        RocksDB.loadLibrary();
        tmp = Files.createTempDirectory(Path.of("/dev/shm"), "rotate-verb-test");
        a = tmp.resolve("pool-a");
        b = tmp.resolve("pool-b");
        MemoryDevice.createFile(a, 4L << 30);
        MemoryDevice.createFile(b, 4L << 30);
        db = tmp.resolve("db");
        writeDb(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void writeDb(int round) throws Exception {
        try (Options o = new Options().setCreateIfMissing(true); RocksDB d = RocksDB.open(o, db.toString());
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < 200; i++) {
                d.put(("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + round + "-" + i).getBytes(StandardCharsets.UTF_8));
            }
            d.flush(fo);
        }
    }

    private EpochPool pool() {
        return EpochPool.read(DevicePool.scan(List.of(a, b), OpenOptions.defaults().withSystemUuid(MASTER)), "db1", null);
    }

    private Result publish() {
        return as(MASTER, "sst-publish", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1", "--db", db.toString(),
                "--journal-size", "1m", "--no-progress");
    }

    @Test
    void aRequestStoredWithNoPublisherRunningIsActedOnByTheNextPublisherOnce() throws Exception {
        Result dry = as(MASTER, "sst-publish", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1",
                "--db", db.toString(), "--dry-run").expect(ExitCode.OK);
        assertThat(dry.out()).contains("a new pool: the publisher creates epoch 1");
        assertThat(DevicePool.inspect(a, OpenOptions.defaults()).isBlank()).as("the dry run changed nothing").isTrue();

        assertThat(publish().expect(ExitCode.OK).out()).contains("published version 1", "epoch 1 on ");
        Result r = as(MASTER, "rotate", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1", "--no-wait")
                .expect(ExitCode.OK);
        assertThat(r.out()).contains("rotation of dataset db1 requested in epoch 1");
        Result waited = as(MASTER, "rotate", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1", "--wait", "1")
                .expect(ExitCode.BUSY);
        assertThat(waited.err()).contains("no publisher of dataset db1 rotated it within 1 s", "the request stays");

        writeDb(1);
        assertThat(publish().expect(ExitCode.OK).out()).as("the next publisher rotates first").contains("epoch 2 on ",
                "(1 rotations)");
        assertThat(pool().active().orElseThrow().epoch()).isEqualTo(2);
        writeDb(2);
        assertThat(publish().expect(ExitCode.OK).out()).as("the request was consumed").contains("epoch 2 on ",
                "(0 rotations)");
    }

    @Test
    void aRunningPublisherNoticesTheRequestAndTheVerbWaitsForTheNextEpoch() throws Exception {
        assertThat(publish().expect(ExitCode.OK).out()).contains("epoch 1 on ");
        try (Options o = new Options().setCreateIfMissing(true)) {
            FamfsPublisher pub = FamfsPublisher.attach(o, List.of(a, b), OpenOptions.defaults().withSystemUuid(MASTER),
                    "db1", PublisherConfig.defaults().withJournalSize(1 << 20));
            try (RocksDB d = RocksDB.open(o, db.toString()); FamfsPublisher p = pub) {
                pub.start(d);
                CompletableFuture<Result> verb = CompletableFuture.supplyAsync(() ->
                        as(MASTER, "rotate", "-D", b.toString(), "-D", a.toString(), "--dataset", "db1"));
                Result r = verb.get().expect(ExitCode.OK);
                assertThat(r.out()).contains("requested in epoch 1", "dataset db1 rotated: epoch 2 is active on ");
                assertThat(pub.epoch()).isEqualTo(2);
                assertThat(pub.metrics().pool().rotations()).isEqualTo(1);
            }
        }
        try (MasterVolume m = Famfs.openMaster(pool().active().orElseThrow().device().path(),
                OpenOptions.defaults().withSystemUuid(MASTER))) {
            assertThat(EpochFile.open(m, "db1").rotationRequested()).as("epoch 2 starts without the request").isFalse();
        }
    }

    @Test
    void poolErrorsExitWithTheirKindsCode() throws Exception {
        as(MASTER, "rotate", "-D", a.toString(), "--dataset", "db1").expect(ExitCode.USAGE);
        Result dup = as(MASTER, "rotate", "-D", a.toString(), "-D", a.toString(), "--dataset", "db1").expect(ExitCode.USAGE);
        assertThat(dup.err()).contains("listed twice");
        Result none = as(MASTER, "rotate", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1")
                .expect(ExitCode.NOT_FOUND);
        assertThat(none.err()).contains("no epoch of dataset db1");
        as(MASTER, "rotate", "-D", a.toString(), "-D", tmp.resolve("missing").toString(), "--dataset", "db1")
                .expect(ExitCode.NOT_FOUND);

        publish().expect(ExitCode.OK);
        Result other = as(OTHER, "rotate", "-D", a.toString(), "-D", b.toString(), "--dataset", "db1")
                .expect(ExitCode.NOT_MASTER);
        assertThat(other.err()).contains("belongs to master host " + MASTER);

        // A third device holding unrelated files is not this pool's (FOREIGN_DEVICE, INVALID_ARGUMENT).
        Path c = tmp.resolve("pool-c");
        MemoryDevice.createFile(c, 4L << 30);
        Mkfs.format(c, Mkfs.Options.defaults().withSystemUuid(MASTER));
        try (MasterVolume m = Famfs.openMaster(c, OpenOptions.defaults().withSystemUuid(MASTER))) {
            m.mkdirs("other", CreateOptions.dir());
        }
        Result foreign = as(MASTER, "rotate", "-D", a.toString(), "-D", b.toString(), "-D", c.toString(),
                "--dataset", "db1").expect(ExitCode.USAGE);
        assertThat(foreign.err()).contains("it is not this pool's");
        as(MASTER, "sst-publish", "-D", a.toString(), "-D", b.toString(), "-D", c.toString(), "--dataset", "db1",
                "--db", db.toString()).expect(ExitCode.USAGE);
    }

    @Test
    void oneDeviceOfAPoolGivenAloneIsRefusedByPublishAndReplicaVerbs() throws Exception {
        publish().expect(ExitCode.OK);
        Path epochDevice = pool().active().orElseThrow().device().path();

        Result pub = as(MASTER, "sst-publish", "-D", epochDevice.toString(), "--dataset", "db1", "--db", db.toString(),
                "--no-progress").expect(ExitCode.USAGE);
        Result get = as(OTHER, "replica", "get", "-D", epochDevice.toString(), "--dataset", "db1", "k1")
                .expect(ExitCode.USAGE);

        for (Result r : List.of(pub, get)) {
            assertThat(r.err()).contains("is one epoch of a pool", "every device of the pool");
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
        }
        assertThat(pool().active().orElseThrow().epoch()).as("nothing published into the epoch alone").isEqualTo(1);
    }
}
