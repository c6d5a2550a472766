package io.famfsrocks.it;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochGuard;
import io.famfsrocks.rocks.epoch.EpochHeader;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica's after-read epoch check when the bytes come through a FUSE mount served by
 * another process (the replica's real read path), across a reformat of the device while
 * the reader is stopped: no answer read after the reuse is accepted.
 */
class EpochGuardFuseIT {
    static final long OLD = 0x01d_01d_01dL;
    static final long NEW = 0x0ee_0ee_0eeL;
    /** 4 MiB: the reader reads the first 32 KiB before the pause and 3 MiB further after it, pages FUSE never cached. */
    static final int WORDS = 512 * 1024;
    static final long FAR = 3L << 20;
    static final String SST = "ds/sst/000001.sst";

    /**
     * Reader host: {@code DEV MOUNTPOINT MARKER}: reads words of the SST through the mount
     * (pread) and checks the epoch on its own mapping of the device after each; stops after
     * the first dropped answer read far into the file, or after 60 s. Once MARKER exists
     * (the test makes it after the reformat, before it lets the reader run again) it reads
     * far into the file, as a lookup of a block never read before does, so the bytes come
     * from the device through the FUSE server, not from the page cache. A drop of a word
     * read before the switch (the reader was stopped between its marker check and its
     * read) is counted and the loop goes on.
     */
    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[0]);
        Path file = Path.of(args[1], SST);
        Path marker = Path.of(args[2]);
        try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults());
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            EpochGuard guard = EpochGuard.of(v);
            ByteBuffer word = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
            long accepted = 0, wrong = 0, dropped = 0, droppedFar = 0, droppedNew = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (droppedFar == 0 && System.nanoTime() < deadline) {
                boolean far = Files.exists(marker);
                word.clear();
                ch.read(word, (far ? FAR : 0) + (accepted % 4096) * 8);
                long answer = word.getLong(0);
                if (guard.intact()) {
                    accepted++;
                    if (answer != OLD) {
                        wrong++;
                    }
                    if (accepted == 2_000) {
                        System.out.println("serving");
                    }
                } else {
                    dropped++;
                    if (far) {
                        droppedFar++;
                        droppedNew += answer == NEW ? 1 : 0;
                    }
                }
            }
            System.out.printf("accepted=%d wrong=%d dropped=%d droppedFar=%d droppedNew=%d%n",
                    accepted, wrong, dropped, droppedFar, droppedNew);
        }
    }

    static void fill(MasterVolume m, long value) {
        if (m.lookup(SST) == null) {
            m.mkdirs("ds/sst", CreateOptions.dir());
            m.create(SST, WORDS * 8L, CreateOptions.file());
        }
        ByteBuffer b = ByteBuffer.allocate(WORDS * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < WORDS; i++) {
            b.putLong(i * 8, value);
        }
        MasterVolume.WritableFile w = m.openWritable(SST);
        w.write(0, b);
        w.flush();
    }

    static void epoch(MasterVolume m, long n) {
        EpochFile.create(m, new EpochHeader(8, new UUID(1, 1), m.superblock().fsUuid(), EpochHeader.NIL, n, 0, "ds"));
    }

    @Test
    void aReaderThroughFuseStoppedAcrossAReformatAcceptsNoAnswerFromReusedMemory() throws Exception {
        FuseAvailable.require();
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "epoch-fuse-it");
        String master = UUID.randomUUID().toString();
        OpenOptions opts = OpenOptions.defaults().withSystemUuid(master);
        Path dev = dir.resolve("dev0");
        Path spare = dir.resolve("dev1");
        Path mp = Files.createDirectory(dir.resolve("mnt"));
        MemoryDevice.createFile(dev, 64L << 20);
        MemoryDevice.createFile(spare, 64L << 20);
        Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(master));
        Process reader = null;
        try {
            try (MasterVolume m = Famfs.openMaster(dev, opts)) {
                epoch(m, 1);
                fill(m, OLD);
            }
            String client = UUID.randomUUID().toString();
            try (MountProcess mount = MountProcess.start(dev, mp, client, dir.resolve("mount.err"))) {
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), EpochGuardFuseIT.class.getName(), dev.toString(),
                        mp.toString(), dir.resolve("far").toString()).redirectErrorStream(true);
                pb.environment().put("FAMFS_SYSTEM_UUID", client);
                reader = pb.start();
                BufferedReader out = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
                List<String> lines = new ArrayList<>();
                assertThat(next(out, lines, "serving")).as("reader output %s", lines).isNotNull();
                signal(reader, "STOP");
                                DevicePool pool = DevicePool.scan(List.of(dev, spare), opts);
                pool.format(pool.devices().get(0), Mkfs.Options.defaults().withSystemUuid(master));
                try (MasterVolume m = Famfs.openMaster(dev, opts)) {
                    epoch(m, 3);
                    fill(m, NEW);
                }
                Files.createFile(dir.resolve("far"));
                signal(reader, "CONT");
                String result = next(out, lines, "accepted=");
                assertThat(result).as("reader output %s", lines).isNotNull();
                Matcher r = Pattern.compile("accepted=(\\d+) wrong=(\\d+) dropped=(\\d+) droppedFar=(\\d+) droppedNew=(\\d+)").matcher(result);
                assertThat(r.matches()).isTrue();
                assertThat(Long.parseLong(r.group(1))).isGreaterThanOrEqualTo(2_000);
                assertThat(Long.parseLong(r.group(2))).as("accepted answers that were not the old epoch's").isZero();
                // drops of near reads (cached pages) are harmless and their number depends on
                // when the stop took effect; what matters is that none was accepted (wrong = 0)
                assertThat(Long.parseLong(r.group(3))).as("dropped answers").isPositive();
                assertThat(Long.parseLong(r.group(4))).as("dropped answers read far into the file").isEqualTo(1);
                assertThat(Long.parseLong(r.group(5))).as("the far dropped answer was the new epoch's bytes, read through FUSE")
                        .isEqualTo(1);
                assertThat(reader.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            if (reader != null && reader.isAlive()) {
                signal(reader, "CONT");
                reader.destroyForcibly();
                reader.waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String next(BufferedReader out, List<String> seen, String prefix) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    seen.add(line);
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
            } catch (java.io.IOException e) {
                return null;
            }
            return null;
        }).get(120, TimeUnit.SECONDS);
    }

    private static void signal(Process p, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
