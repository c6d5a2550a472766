package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replica's after-read check against a device reformatted and reused under it. */
class EpochGuardTest {
    static final long OLD = 0x01d_01d_01dL;
    static final long NEW = 0x0ee_0ee_0eeL;
    static final int WORDS = 512;
    static final String DATA = "ds/sst/000001.sst";

    /** Fills {@code path} (created if missing) with {@code value} in every word. */
    static void fill(MasterVolume m, long value) {
        if (m.lookup(DATA) == null) {
            m.mkdirs("ds/sst", CreateOptions.dir());
            m.create(DATA, WORDS * 8L, CreateOptions.file());
        }
        ByteBuffer b = ByteBuffer.allocate(WORDS * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < WORDS; i++) {
            b.putLong(i * 8, value);
        }
        MasterVolume.WritableFile w = m.openWritable(DATA);
        w.write(0, b);
        w.flush();
    }

    /**
     * Child replica: looks up the data file over and over through its own mapping; an
     * answer counts only if the epoch check passes after it. Stops after the first dropped
     * answer (or 60 s) and prints what it accepted and dropped.
     */
    public static void main(String[] args) {
        Path dev = Path.of(args[0]);
        try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults())) {
            FamfsFile f = v.openFile(DATA);
            ByteBuffer view = f.mappedView().order(ByteOrder.LITTLE_ENDIAN);
            EpochGuard guard = EpochGuard.of(v);
            long accepted = 0, wrong = 0, dropped = 0, droppedNew = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (dropped == 0 && System.nanoTime() < deadline) {
                long answer = view.getLong((int) (accepted % WORDS) * 8); // the "lookup"
                if (guard.intact()) {
                    accepted++;
                    if (answer != OLD) {
                        wrong++;
                    }
                    if (accepted == 10_000) {
                        System.out.println("serving");
                    }
                } else {
                    dropped++;
                    if (answer == NEW) {
                        droppedNew++;
                    }
                }
            }
            System.out.printf("accepted=%d wrong=%d dropped=%d droppedNew=%d%n", accepted, wrong, dropped, droppedNew);
        }
    }

    @Test
    void aReplicaStoppedAcrossAReformatDropsEveryAnswerFromReusedMemory() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); TestDevice spare = new TestDevice(64L << 20)) {
            OpenOptions opts = OpenOptions.defaults().withSystemUuid(dev.master);
            long dataAt;
            try (MasterVolume m = dev.openMaster()) {
                EpochFile.create(m, EpochFileTest.header(m, 1));
                fill(m, OLD);
                dataAt = m.openFile(DATA).deviceOffset(0);
            }
            try (Child c = Child.start(UUID.randomUUID().toString(), EpochGuardTest.class, dev.path.toString())) {
                c.await("serving", 60);
                c.signal("STOP"); // paused past any lease: the primary goes on without it
                DevicePool pool = DevicePool.scan(List.of(dev.path, spare.path), opts);
                pool.format(pool.byFsUuid(Famfs.readSuperblock(dev.path, opts).fsUuid()).orElseThrow(),
                        Mkfs.Options.defaults().withSystemUuid(dev.master));
                try (MasterVolume m = dev.openMaster()) {
                    EpochFile.create(m, EpochFileTest.header(m, 3));
                    fill(m, NEW);
                    // The new epoch's SST sits where the old one was: the replica's mapping now shows NEW bytes.
                    assertThat(m.openFile(DATA).deviceOffset(0)).isEqualTo(dataAt);
                }
                c.signal("CONT");
                Matcher r = Pattern.compile("accepted=(\\d+) wrong=(\\d+) dropped=(\\d+) droppedNew=(\\d+)")
                        .matcher(c.await("accepted=", 120));
                assertThat(r.matches()).isTrue();
                assertThat(Long.parseLong(r.group(1))).as("answers accepted before the pause").isGreaterThanOrEqualTo(10_000);
                assertThat(Long.parseLong(r.group(2))).as("accepted answers that were not the old epoch's").isZero();
                assertThat(Long.parseLong(r.group(3))).as("answers dropped").isEqualTo(1);
                assertThat(c.waitFor(30)).isZero();
            }
        }
    }

    @Test
    void theCheckFailsOnceTheDeviceIsReformattedOrKilledAndNeverBefore() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); TestDevice spare = new TestDevice(64L << 20)) {
            OpenOptions opts = OpenOptions.defaults().withSystemUuid(dev.master);
            try (FamfsVolume reader = dev.openClient(); MasterVolume m = dev.openMaster()) {
                EpochGuard g = EpochGuard.of(reader);
                assertThat(g.intact()).isTrue();
                fill(m, OLD); // writes inside the volume are not a reformat
                assertThat(g.intact()).isTrue();
                assertThat(g.read("lookup", () -> 42)).isEqualTo(42);
            }
            try (FamfsVolume reader = dev.openClient()) {
                EpochGuard g = EpochGuard.of(reader);
                Mkfs.kill(dev.path, dev.master);
                assertThat(g.intact()).as("killed: magic zeroed, UUID still there").isFalse();
            }
            DevicePool pool = DevicePool.scan(List.of(dev.path, spare.path), opts);
            pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(dev.master));
            try (FamfsVolume reader = dev.openClient()) {
                EpochGuard g = EpochGuard.of(reader);
                pool.rescan().format(pool.rescan().devices().get(0), Mkfs.Options.defaults().withSystemUuid(dev.master));
                assertThat(g.intact()).isFalse();
                assertThatThrownBy(() -> g.read("get k1", () -> "stale bytes"))
                        .isInstanceOf(StaleEpochException.class)
                        .hasMessageContaining("get k1").hasMessageContaining("answer is dropped");
            }
        }
    }
}
