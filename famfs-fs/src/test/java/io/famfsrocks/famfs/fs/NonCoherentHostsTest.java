package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.device.NonCoherentModel;
import io.famfsrocks.famfs.testing.ChildJvm;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A master and a following client, each its own process (host), on memory that is not
 * coherent: run with {@code FAMFS_COHERENCE=model} (the famfs-fs {@code noncoherent} test
 * execution does, for this and {@link TwoHostTest}); skipped otherwise, as the coherent run
 * proves nothing about write-backs or invalidates. The client holds every line it ever read
 * until it invalidates it, so it must get each new log entry through the engine's own
 * invalidates (header counters, the entry's retry) and each file's bytes after
 * {@link FamfsFile#invalidate}; the master must write back every entry, counter and file.
 */
class NonCoherentHostsTest {
    static final int FILES = Integer.getInteger("coherence.files", 40);

    /** Child: {@code master DEV N} writes files; {@code client DEV N} follows and checks them. */
    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        if (args[0].equals("master")) {
            try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults())) {
                v.mkdir("d", CreateOptions.dir());
                v.mkdir("ok", CreateOptions.dir());
                for (int i = 0; i < n; i++) {
                    int size = 3000 + 997 * i;
                    v.create("d/f" + i, size, CreateOptions.file());
                    Thread.sleep(2); // the client may read the file before it is filled (famfs has no atomic create-and-fill)
                    MasterVolume.WritableFile w = v.openWritable("d/f" + i);
                    w.write(0, ByteBuffer.wrap(content(i, size)));
                    w.flush();
                    v.create("ok/f" + i, 1, CreateOptions.file()); // f_i is complete and written back
                }
            }
            System.out.println("master done " + NonCoherentModel.counters());
            return;
        }
        try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults())) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            int checked = 0;
            int early = 0;
            boolean[] seenEarly = new boolean[n];
            while (checked < n) {
                if (System.nanoTime() > deadline) {
                    System.out.println("client timed out after " + checked + " files: " + v.replayError());
                    System.exit(2);
                }
                v.refresh();
                v.requireCompleteLog("follow");
                for (int i = 0; i < n; i++) {
                    if (!seenEarly[i] && v.lookup("d/f" + i) != null) {
                        FamfsFile f = v.openFile("d/f" + i);
                        f.read(0, ByteBuffer.allocate((int) f.size())); // caches what is there now
                        seenEarly[i] = true;
                        early++;
                    }
                }
                if (v.lookup("ok/f" + checked) != null) {
                    FamfsFile f = v.openFile("d/f" + checked);
                    f.invalidate();
                    ByteBuffer got = ByteBuffer.allocate((int) f.size());
                    f.read(0, got);
                    if (!Arrays.equals(got.array(), content(checked, (int) f.size()))) {
                        byte[] want = content(checked, (int) f.size());
                        int at = Arrays.mismatch(got.array(), want);
                        System.out.println("client: d/f" + checked + " differs from what the master wrote at byte " + at
                                + " of " + f.size() + ": " + got.get(at) + " instead of " + want[at] + ", device offset 0x"
                                + Long.toHexString(f.deviceOffset(at)));
                        System.exit(1);
                    }
                    checked++;
                }
            }
            System.out.println("client checked " + checked + " files (" + early + " read early) "
                    + NonCoherentModel.counters());
        }
    }

    static byte[] content(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (i * 31 + k * 7 + 1);
        }
        return b;
    }

    @Test
    void aFollowingClientSeesEveryFileWholeOnceTheMasterWroteItBack() throws Exception {
        assumeTrue(CacheCoherence.selected() instanceof NonCoherentModel, "runs on the cache model only");
        // each iteration takes two allocation units (2 MiB): the file and its marker
        try (TestDevices dev = TestDevices.formatted(Math.max(256L << 20, (2L * FILES + 16) << 21))) {
            Process client = ChildJvm.start(UUID.randomUUID().toString(), NonCoherentHostsTest.class,
                    "client", dev.path.toString(), Integer.toString(FILES));
            Process master = ChildJvm.start(dev.masterUuid, NonCoherentHostsTest.class,
                    "master", dev.path.toString(), Integer.toString(FILES));
            String[] m = ChildJvm.finish(master, 120);
            String[] c = ChildJvm.finish(client, 150);
            System.out.println(m[1] + c[1]);
            assertThat(m[0]).as(m[1]).isEqualTo("0");
            assertThat(c[0]).as(c[1]).isEqualTo("0");
            assertThat(c[1]).contains("client checked " + FILES + " files");
            Fsck.Report r = Fsck.check(dev.path, OpenOptions.defaults().withSystemUuid(dev.masterUuid));
            assertThat(r.defects()).isEmpty();
            assertThat(r.files()).isEqualTo(2 * FILES);
        }
    }
}
