package io.famfsrocks.it;

import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.log.FamfsLog;
import io.famfsrocks.it.harness.PrimaryMain;
import io.famfsrocks.rocks.journal.Checksums;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.journal.JournalReader;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * The publisher's fault points under a real workload (PrimaryMain: writes, flushes and
 * compactions running while it publishes), one primary process armed at each, dying there at
 * a late hit; each death must be proved (exit code {@value FaultPoint#EXIT_CODE} and the
 * marker line). After each: fsck clean, versions 1..K without a gap and K at or beyond the
 * newest the primary reported, the newest version's SSTs whole; then the same primary
 * restarted unarmed runs 3 s and publishes beyond K, and the checks hold again. The exact
 * media state at each point is {@code PublishFaultPointWalkIT}'s (rocks-env), without
 * compactions; this is the same points with them.
 */
class PublishFaultPointIT {
    static final Pattern VERSION = Pattern.compile("PRIMARY counter=\\d+ version=(\\d+)");

    @Test
    void aPublishingPrimaryDiesAtEachPointAndTheNextCarriesOn() throws Exception {
        String master = UUID.randomUUID().toString();
        Path dev = Path.of("/dev/shm", "famfs-pubfault-" + UUID.randomUUID());
        Path db = Files.createTempDirectory(Path.of("/dev/shm"), "pubfault-db");
        OpenOptions client = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
        try {
            MemoryDevice.createFile(dev, 16L << 30);
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(master).withLogLen(64L << 20));
            long newest = 0;
            for (String spec : List.of(FamfsPublisher.SST_COPIED.name() + "@25", JournalWriter.RECORD_WRITTEN.name() + "@15",
                    JournalWriter.COMMITTED.name() + "@15", FamfsLog.AFTER_ENTRY.name() + "@40")) {
                String out = run(dev, db, master, spec, 90);
                long reported = reported(out);
                long k = check(dev, client, reported, spec);
                assertThat(k).as("versions after %s", spec).isGreaterThanOrEqualTo(newest);
                String next = run(dev, db, master, null, 60);
                assertThat(next).as("restarted primary").contains("PRIMARY done");
                newest = check(dev, client, reported(next), "the restart after " + spec);
                assertThat(newest).as("the restart after %s publishes beyond version %d", spec, k).isGreaterThan(k);
            }
        } finally {
            Files.deleteIfExists(dev);
            try (Stream<Path> s = Files.walk(db)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs PrimaryMain armed at {@code spec} (dies there) or, with null, for 3 s (exits 0). */
    static String run(Path dev, Path db, String master, String spec, long seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PrimaryMain.class.getName(),
                "--device", dev.toString(), "--db", db.toString(), "--dataset", "fault",
                "--pause-ms", "1", "--interval-ms", "0"));
        if (spec == null) {
            cmd.addAll(List.of("--duration-s", "3"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", master);
        if (spec != null) {
            pb.environment().put(FaultPoint.ENV, spec);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("primary " + (spec == null ? "" : "armed at " + spec + " ") + "did not exit: " + out);
        }
        if (spec != null) {
            int at = spec.indexOf('@');
            assertThat(out).as("output of the primary armed at %s", spec)
                    .contains(FaultPoint.MARKER + spec.substring(0, at) + " (hit " + spec.substring(at + 1) + ")");
            assertThat(p.exitValue()).as("exit code of the primary armed at %s: %s", spec, out)
                    .isEqualTo(FaultPoint.EXIT_CODE);
        } else {
            assertThat(p.exitValue()).as("exit code of the unarmed primary: %s", out).isZero();
        }
        return out;
    }

    static long reported(String out) {
        long v = 0;
        Matcher m = VERSION.matcher(out);
        while (m.find()) {
            v = Math.max(v, Long.parseLong(m.group(1)));
        }
        return v;
    }

    /** fsck clean, versions 1..K, K >= reported, the newest version's SSTs whole; returns K. */
    static long check(Path dev, OpenOptions client, long reported, String after) {
        Fsck.Report rep = Fsck.check(dev, client);
        assertThat(rep.defects()).as("fsck after %s", after).isEmpty();
        try (FamfsVolume v = Famfs.open(dev, client)) {
            List<JournalRecord.Version> versions = new ArrayList<>();
            for (JournalRecord rec : new JournalReader(v, "fault").startAt(0).poll()) {
                if (rec instanceof JournalRecord.Version ver) {
                    versions.add(ver);
                }
            }
            for (int i = 0; i < versions.size(); i++) {
                assertThat(versions.get(i).version()).as("versions without a gap after %s", after).isEqualTo(i + 1);
            }
            assertThat(versions).as("versions after %s", after).isNotEmpty();
            long k = versions.get(versions.size() - 1).version();
            assertThat(k).as("newest version after %s (reported %d)", after, reported).isGreaterThanOrEqualTo(reported);
            for (SstEntry s : versions.get(versions.size() - 1).ssts()) {
                FamfsFile f = v.openFile(DatasetPaths.sst("fault", s.fileNumber()));
                assertThat(f.size()).isEqualTo(s.size());
                assertThat(Checksums.of(f)).as("CRC32C of %s after %s", f.path(), after).isEqualTo(s.crc32c());
            }
            return k;
        }
    }
}
