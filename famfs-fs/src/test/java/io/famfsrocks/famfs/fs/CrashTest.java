package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a master process at random moments while it creates, writes and appends.
 * After each kill: fsck is clean, every file the master reported complete has its exact
 * bytes, and a new master process carries on. {@link #main} is the writer; {@link #soak}
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
                long size = 1 + new Random(i).nextInt(3 << 20);
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
                        // Every file completed since the last kill, and a sample of older ones.
                        List<Integer> check = new ArrayList<>();
                        for (int i : done.keySet()) {
                            if (i >= next || r.nextInt(Math.max(1, done.size() / 16)) == 0) {
                                check.add(i);
                            }
                        }
                        for (int i : check) {
                            FamfsFile f = v.openFile("d" + (i % 7) + "/f" + i);
                            ByteBuffer b = ByteBuffer.allocate((int) f.size());
                            f.read(0, b);
                            assertThat(b.array()).as("file %d after kill %d", i, k).isEqualTo(pattern(i, f.size()));
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
            System.out.printf("crash soak: %d kills, %d files completed, fsck clean after each%n", kills, done.size());
        }
    }
}
