package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a master process at random moments while it creates, writes and appends.
 * After each kill: fsck is clean, every file the master reported complete has its exact
 * bytes (compared byte for byte the first time, by CRC32C of all its bytes after later
 * kills), and a new master process carries on. {@link #main} is the writer; {@link #soak}
 * runs the loop for as many kills as asked (the reliability soak runs 200+).
 */
class CrashTest {
    static final int CI_KILLS = 25;

    /** Writer process: {@code DEVICE START}; creates files forever, printing each once complete. */
    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[0]);
        int i = Integer.parseInt(args[1]);
        try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults())) {
            System.out.println("ready");
            System.out.flush();
            while (true) {
                String name = "d" + (i % 7) + "/f" + i;
                if (i < 7) {
                    v.mkdirs("d" + i, CreateOptions.dir());
                }
                long size = size(i);
                FamfsFile f = v.create(name, size, CreateOptions.file());
                MasterVolume.WritableFile w = v.openWritable(name);
                w.write(0, ByteBuffer.wrap(pattern(i, size)));
                w.flush();
                System.out.println("done " + i);
                System.out.flush();
                i++;
            }
        }
    }

    static long size(int i) {
        return 1 + new Random(i).nextInt(3 << 20);
    }

    static long crc32c(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return c.getValue();
    }

    static byte[] pattern(long seed, long size) {
        byte[] b = new byte[(int) size];
        new Random(seed * 31 + 7).nextBytes(b);
        return b;
    }

    @Test
    void killedMastersLoseNothingReportedAndLeaveFsckClean() throws Exception {
        soak(CI_KILLS, 4L << 30);
    }

    static void soak(int kills, long deviceSize) throws Exception {
        try (TestDevices dev = TestDevices.formatted(deviceSize)) {
            Random r = new Random(99);
            Map<Integer, Boolean> done = new HashMap<>();
            Map<Integer, Long> crcs = new HashMap<>();
            ByteBuffer buf = ByteBuffer.allocate(3 << 20);
            long checked = 0;
            int next = 0;
            OpenOptions client = OpenOptions.defaults().withSystemUuid(java.util.UUID.randomUUID().toString());
            for (int k = 0; k < kills; k++) {
                Process p = io.famfsrocks.famfs.testing.ChildJvm.start(dev.masterUuid, CrashTest.class,
                        dev.path.toString(), Integer.toString(next));
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
                String line = out.readLine();
                assertThat(line).as("writer start").isEqualTo("ready");
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + r.nextInt(300));
                Thread reader = new Thread(() -> {
                    try {
                        String l;
                        while ((l = out.readLine()) != null) {
                            if (l.startsWith("done ")) {
                                synchronized (done) {
                                    done.put(Integer.parseInt(l.substring(5)), true);
                                }
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the process died
                    }
                });
                reader.start();
                while (System.nanoTime() < until && p.isAlive()) {
                    Thread.sleep(5);
                }
                p.destroyForcibly().waitFor();
                reader.join();
                Fsck.Report rep = Fsck.check(dev.path, client);
                assertThat(rep.defects()).as("fsck after kill %d", k).isEmpty();
                try (FamfsVolume v = Famfs.open(dev.path, client)) {
                    synchronized (done) {
                        // Every completed file, after every kill: the ones completed since the last kill
                        // byte for byte against the pattern written (their CRC32C is then recorded), the
                        // older ones by the CRC32C of all their bytes against the recorded one.
                        for (int i : done.keySet()) {
                            FamfsFile f = v.openFile("d" + (i % 7) + "/f" + i);
                            assertThat(f.size()).as("size of file %d after kill %d", i, k).isEqualTo(size(i));
                            buf.clear().limit((int) f.size());
                            assertThat(f.read(0, buf)).isEqualTo((int) f.size());
                            buf.flip();
                            Long want = crcs.get(i);
                            if (want == null) {
                                byte[] got = new byte[buf.remaining()];
                                buf.duplicate().get(got);
                                assertThat(got).as("file %d after kill %d", i, k).isEqualTo(pattern(i, f.size()));
                                crcs.put(i, crc32c(buf));
                            } else {
                                assertThat(crc32c(buf)).as("CRC32C of file %d after kill %d", i, k).isEqualTo(want);
                            }
                            checked++;
                        }
                    }
                    // Carry on after the last name the log holds (a create may have landed unreported).
                    if ((k + 1) % 20 == 0) {
                        System.out.printf("  %d kills, %d files completed%n", k + 1, done.size());
                    }
                    next = 0;
                    while (v.lookup("d" + (next % 7) + "/f" + next) != null) {
                        next++;
                    }
                }
            }
            assertThat(done).hasSizeGreaterThan(kills);
            System.out.printf("crash soak: %d kills, %d files completed, fsck clean after each,"
                    + " %d file checks (every completed file after every kill)%n", kills, done.size(), checked);
        }
    }
}
