package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.device.TornWalk;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The famfs log append and a file's fill survive a crash of the master at every step, with
 * any subset of its unfenced cache lines in memory ({@link TornWalk} on the cache model):
 * fsck has no defect (no warning but "one ahead" and the small device's), the files before are whole, a
 * create that returned is visible, a file whose flush returned is whole, and a new master
 * carries on.
 */
class TornStoreTest {
    static final int SIZE = 5000;
    private int checks;

    @Test
    void logAppendAndFileFillSurviveEveryTornSubsetAtEveryStep() throws Exception {
        try (TestDevices dev = TestDevices.formatted(16L << 20)) {
            OpenOptions coherent = OpenOptions.defaults().withSystemUuid(dev.masterUuid)
                    .withCoherence(CacheCoherence.COHERENT);
            try (MasterVolume v = Famfs.openMaster(dev.path, coherent)) {
                v.mkdir("d", CreateOptions.dir());
                fill(v, "d/f0", 0);
            }
            TornWalk.Result r = TornWalk.walk(dev.path, (work, model, progress) -> {
                try (MasterVolume v = Famfs.openMaster(work, coherent.withCoherence(model))) {
                    v.create("d/f1", SIZE, CreateOptions.file());
                    progress.add("created");
                    MasterVolume.WritableFile w = v.openWritable("d/f1");
                    w.write(0, ByteBuffer.wrap(content(1)));
                    w.flush();
                    progress.add("filled");
                }
            }, (work, progress, where) -> check(work, coherent, progress, where));
            System.out.println("TornStoreTest: famfs log append + fill: " + r + ", " + checks + " checks");
            assertThat(r.steps()).as("crash points").isGreaterThan(5);
            assertThat(r.maxUnfenced()).as("the entry's lines were unfenced at some point").isGreaterThanOrEqualTo(9);
        }
    }

    private void check(Path work, OpenOptions coherent, List<String> progress, String where) throws Exception {
        Fsck.Report rep = Fsck.check(work, coherent);
        assertThat(rep.defects()).as("fsck defects, " + where).isEmpty();
        assertThat(rep.warnings()).as("fsck warnings, " + where)
                .allMatch(w -> w.contains("is one ahead of next_index") || w.contains("device is under 4 GiB"));
        boolean f1;
        try (FamfsVolume v = Famfs.open(work, coherent)) {
            assertWhole(v, "d/f0", 0, where);
            f1 = v.lookup("d/f1") != null;
            if (progress.contains("created")) {
                assertThat(f1).as("a create that returned is visible, " + where).isTrue();
            }
            if (f1) {
                assertThat(v.openFile("d/f1").size()).isEqualTo(SIZE);
            }
            if (progress.contains("filled")) {
                assertWhole(v, "d/f1", 1, where);
            }
        }
        if (checks++ % 16 == 0) {
            Path carry = TornWalk.copy(work, work.resolveSibling(work.getFileName() + ".carry"));
            try {
                try (MasterVolume m = Famfs.openMaster(carry, coherent)) {
                    fill(m, "d/f2", 2);
                }
                assertThat(Fsck.check(carry, coherent).defects()).as("after a new master's create, " + where).isEmpty();
                try (FamfsVolume v = Famfs.open(carry, coherent)) {
                    assertWhole(v, "d/f0", 0, where);
                    assertWhole(v, "d/f2", 2, where);
                }
            } finally {
                Files.deleteIfExists(carry);
            }
        }
    }

    static void fill(MasterVolume v, String path, int i) {
        v.create(path, SIZE, CreateOptions.file());
        MasterVolume.WritableFile w = v.openWritable(path);
        w.write(0, ByteBuffer.wrap(content(i)));
        w.flush();
    }

    static void assertWhole(FamfsVolume v, String path, int i, String where) {
        FamfsFile f = v.openFile(path);
        ByteBuffer got = ByteBuffer.allocate((int) f.size());
        f.read(0, got);
        assertThat(Arrays.equals(got.array(), content(i))).as(path + " whole, " + where).isTrue();
    }

    static byte[] content(int i) {
        byte[] b = new byte[SIZE];
        for (int k = 0; k < SIZE; k++) {
            b[k] = (byte) (k * 13 + i * 101 + 7);
        }
        return b;
    }
}
