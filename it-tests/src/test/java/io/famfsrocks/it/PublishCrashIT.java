package io.famfsrocks.it;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.it.harness.PrimaryMain;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a publishing primary at random moments (SST copies, journal appends, log
 * appends all run concurrently with its writes and compactions). After each kill: fsck is
 * clean, every version the primary reported is still in the journal, every SST the newest
 * version names is whole (size and CRC32C as published), and a restarted primary carries
 * on with newer versions. {@code -Dpublish.kills=N} runs the soak (200+).
 *
 * <p>The same with SIGTERM: the primary must also exit promptly. A JVM exiting while a
 * RocksDB thread calls a Java listener hangs for good unless the publisher's exit guard
 * stops background work first (without it, this hung within a few stops).
 */
class PublishCrashIT {
    static final Pattern VERSION = Pattern.compile("PRIMARY counter=\\d+ version=(\\d+)");

    @Test
    void killedPublishersNeverLoseOrTearAVersion() throws Exception {
        stopRepeatedly(Integer.getInteger("publish.kills", 12), false);
    }

    @Test
    void terminatedPublishersExitPromptlyAndLoseNothing() throws Exception {
        stopRepeatedly(Integer.getInteger("publish.terms", 8), true);
    }

    private static void stopRepeatedly(int kills, boolean sigterm) throws Exception {
        String master = UUID.randomUUID().toString();
        Path dev = Path.of("/dev/shm", "famfs-pubcrash-" + UUID.randomUUID());
        Path db = Files.createTempDirectory(Path.of("/dev/shm"), "pubcrash-db");
        OpenOptions client = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
        Random r = new Random(7);
        long reported = 0;
        long newest = 0;
        try {
            MemoryDevice.createFile(dev, 64L << 30);
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(master).withLogLen(64L << 20));
            for (int k = 0; k < kills; k++) {
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), PrimaryMain.class.getName(),
                        "--device", dev.toString(), "--db", db.toString(), "--dataset", "crash",
                        "--pause-ms", "1", "--interval-ms", "0").redirectErrorStream(true);
                pb.environment().put("FAMFS_SYSTEM_UUID", master);
                Process p = pb.start();
                AtomicLong seen = new AtomicLong();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            Matcher m = VERSION.matcher(line);
                            if (m.find()) {
                                seen.accumulateAndGet(Long.parseLong(m.group(1)), Math::max);
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // killed
                    }
                });
                reader.start();
                Thread.sleep(1500 + r.nextInt(2500));
                if (sigterm) {
                    p.destroy();
                    boolean exited = p.waitFor(30, TimeUnit.SECONDS);
                    if (!exited) {
                        p.destroyForcibly().waitFor();
                    }
                    assertThat(exited).as("primary exits within 30 s of SIGTERM %d", k).isTrue();
                } else {
                    p.destroyForcibly().waitFor();
                }
                reader.join();
                reported = Math.max(reported, seen.get());

                Fsck.Report rep = Fsck.check(dev, client);
                assertThat(rep.defects()).as("fsck after kill %d", k).isEmpty();
                try (FamfsVolume v = Famfs.open(dev, client)) {
                    List<JournalRecord.Version> versions = new ArrayList<>();
                    JournalReader jr = new JournalReader(v, "crash");
                    if (JournalReader.newestJournal(v, "crash") >= 0) {
                        jr.startAt(0);
                        for (JournalRecord rec : jr.poll()) {
                            if (rec instanceof JournalRecord.Version ver) {
                                versions.add(ver);
                            }
                        }
                    }
                    long last = versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
                    assertThat(last).as("newest version after kill %d", k).isGreaterThanOrEqualTo(reported);
                    assertThat(last).as("versions keep growing").isGreaterThanOrEqualTo(newest);
                    newest = last;
                    for (int i = 0; i < versions.size(); i++) {
                        assertThat(versions.get(i).version()).isEqualTo(i + 1);
                    }
                    if (!versions.isEmpty()) {
                        for (SstEntry s : versions.get(versions.size() - 1).ssts()) {
                            FamfsFile f = v.openFile(DatasetPaths.sst("crash", s.fileNumber()));
                            assertThat(f.size()).isEqualTo(s.size());
                            assertThat(Checksums.of(f)).as("CRC32C of %s", f.path()).isEqualTo(s.crc32c());
                        }
                    }
                }
            }
            assertThat(newest).as("versions published across %d kills", kills).isGreaterThan(kills);
            System.out.printf("publish crash: %d %s, %d versions, newest reported %d, fsck clean and SSTs whole after each%n",
                    kills, sigterm ? "SIGTERMs (each exited promptly)" : "kills", newest, reported);
        } finally {
            Files.deleteIfExists(dev);
            try (Stream<Path> s = Files.walk(db)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
