package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.log.FamfsLog;
import io.famfsrocks.famfs.testing.ChildJvm;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every crash point of the famfs engine, hit exactly: a master process armed with
 * {@code FAMFS_FAULT=POINT@3} makes a directory and copies files in, printing "done I" for
 * each it completed, and halts at the third time it reaches the point (so completed work lies
 * before it; {@code -Dfault.hits=all} walks every hit). It must prove it died there (exit code {@value FaultPoint#EXIT_CODE} and the
 * marker line naming the point), or the test fails: a renamed or unreached point cannot pass.
 * Then, in this process: fsck has no defect (and only the documented warning), every file
 * reported done reads back whole, what the crash interrupted is absent or (create + fill)
 * present with its full size and not reported, and a new master carries on where the dead
 * one stopped.
 */
class FaultPointTest {
    static final int FILES = 5;

    /** Child: {@code DEVICE WORKDIR}; mkdir d, then copies d/f0..d/f4 in, printing "done I" after each. */
    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[0]);
        Path work = Path.of(args[1]);
        try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults())) {
            v.mkdirs("d", CreateOptions.dir());
            for (int i = 0; i < FILES; i++) {
                Path src = work.resolve("src" + i);
                Files.write(src, CrashTest.pattern(i, size(i)));
                v.copyIn(src, "d/f" + i, CreateOptions.file());
                System.out.println("done " + i);
                System.out.flush();
            }
        }
        System.out.println("finished");
    }

    static long size(int i) {
        return 4096 + 1000L * i;
    }

    /**
     * The hits walked: 3 in CI (work completed before the point); {@code -Dfault.hits=all}
     * walks every hit the child reaches (6 appends: d, d/f0..d/f4; 5 copy-ins).
     */
    static int[] hits(int reached) {
        if ("all".equals(System.getProperty("fault.hits"))) {
            return java.util.stream.IntStream.rangeClosed(1, reached).toArray();
        }
        return new int[] {3};
    }

    @Test
    void logBeforeEntry() throws Exception {
        for (int h : hits(1 + FILES)) {
            walkLogPoint(FamfsLog.BEFORE_ENTRY, h, false);
        }
    }

    @Test
    void logAfterEntryBeforeTheCounters() throws Exception {
        for (int h : hits(1 + FILES)) {
            walkLogPoint(FamfsLog.AFTER_ENTRY, h, false);
        }
    }

    @Test
    void logBetweenTheCounters() throws Exception {
        for (int h : hits(1 + FILES)) {
            walkLogPoint(FamfsLog.BETWEEN_COUNTERS, h, true);
        }
    }

    @Test
    void createdBeforeFill() throws Exception {
        for (int h : hits(FILES)) {
            walkCreatePoint(MasterVolume.CREATED_EMPTY, h);
        }
    }

    @Test
    void filledBeforeFlush() throws Exception {
        for (int h : hits(FILES)) {
            walkCreatePoint(MasterVolume.FILLED_UNFLUSHED, h);
        }
    }

    /** The proof a walk relies on: a child that did not die at its point fails the test. */
    @Test
    void aChildThatDidNotDieAtItsPointFailsTheWalk() {
        assertThatThrownBy(() -> assertDiedAt(new String[] {"0", "done 0\nfinished\n"}, "log.after-entry", 3))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertDiedAt(new String[] {"137", ""}, "log.after-entry", 3))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertDiedAt(new String[] {"86", FaultPoint.MARKER + "log.before-entry (hit 3)\n"},
                "log.after-entry", 3)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertDiedAt(new String[] {"86", FaultPoint.MARKER + "log.after-entry (hit 2)\n"},
                "log.after-entry", 3)).isInstanceOf(AssertionError.class);
        assertDiedAt(new String[] {"86", FaultPoint.MARKER + "log.after-entry (hit 3)\n"}, "log.after-entry", 3);
    }

    static void assertDiedAt(String[] result, String point, int hit) {
        assertThat(result[1]).as("child output").contains(FaultPoint.MARKER + point + " (hit " + hit + ")");
        assertThat(result[0]).as("exit code of a child armed at %s: %s", point, result[1])
                .isEqualTo(Integer.toString(FaultPoint.EXIT_CODE));
    }

    /** Runs the child armed at {@code point}@3; returns the indexes it reported done. */
    static List<Integer> runToDeath(TestDevices dev, FaultPoint point, int hit) throws Exception {
        Path work = Files.createTempDirectory("fault-point");
        try {
            String[] r = ChildJvm.finish(ChildJvm.start(dev.masterUuid,
                    Map.of(FaultPoint.ENV, point.name() + "@" + hit), FaultPointTest.class,
                    dev.path.toString(), work.toString()), 60);
            assertDiedAt(r, point.name(), hit);
            List<Integer> done = new ArrayList<>();
            for (String l : r[1].split("\n")) {
                if (l.startsWith("done ")) {
                    done.add(Integer.parseInt(l.substring(5).trim()));
                }
            }
            return done;
        } finally {
            try (var s = Files.list(work)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.delete(work);
        }
    }

    static OpenOptions client() {
        return OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
    }

    static void assertWhole(FamfsVolume v, int i) {
        FamfsFile f = v.openFile("d/f" + i);
        assertThat(f.size()).isEqualTo(size(i));
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        assertThat(f.read(0, b)).isEqualTo((int) f.size());
        assertThat(b.array()).as("d/f%d", i).isEqualTo(CrashTest.pattern(i, size(i)));
    }

    /** The log header's counters as the media holds them (no check). */
    record Counters(long nextSeqnum, long nextIndex) { }

    static Counters rawHeader(Path dev) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "r")) {
            f.seek(FamfsLayout.LOG_OFFSET);
            byte[] b = new byte[LogHeader.SIZE];
            f.readFully(b);
            ByteBuffer bb = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return new Counters(bb.getLong(LogHeader.OFF_NEXT_SEQNUM), bb.getLong(LogHeader.OFF_NEXT_INDEX));
        }
    }

    /**
     * Hit {@code h} of a log point is append {@code h}: the mkdir of d for 1, else the create
     * of d/f{h-2}; h - 1 entries are counted.
     */
    void walkLogPoint(FaultPoint point, int h, boolean seqnumAhead) throws Exception {
        int victim = h - 2;
        try (TestDevices dev = TestDevices.formatted(4L << 30)) {
            List<Integer> done = runToDeath(dev, point, h);
            assertThat(done).as("files reported before append %d", h)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, Math.max(0, victim)).boxed().toList());
            // The media: the entries before counted, the victim's slot not.
            Counters c = rawHeader(dev.path);
            assertThat(c.nextIndex()).as("next_index").isEqualTo(h - 1);
            assertThat(c.nextSeqnum()).as("next_seqnum").isEqualTo(seqnumAhead ? h : h - 1);
            Fsck.Report rep = Fsck.check(dev.path, client());
            assertThat(rep.defects()).as("fsck after %s@%d", point, h).isEmpty();
            if (seqnumAhead) {
                assertThat(rep.warnings()).as("fsck warnings after %s", point).singleElement().asString()
                        .contains("next_seqnum " + h + " is one ahead of next_index " + (h - 1));
            } else {
                assertThat(rep.warnings()).as("fsck warnings after %s", point).isEmpty();
            }
            try (FamfsVolume v = Famfs.open(dev.path, client())) {
                for (int i : done) {
                    assertWhole(v, i);
                }
                assertThat(v.lookup(victim < 0 ? "d" : "d/f" + victim)).as("the interrupted append is not visible").isNull();
            }
            carryOn(dev, Math.max(0, victim), h - 1);
        }
    }

    /** Hit {@code h} of a create point is the copy-in of d/f{h-1}. */
    void walkCreatePoint(FaultPoint point, int h) throws Exception {
        int victim = h - 1;
        try (TestDevices dev = TestDevices.formatted(4L << 30)) {
            List<Integer> done = runToDeath(dev, point, h);
            assertThat(done).containsExactlyElementsOf(java.util.stream.IntStream.range(0, victim).boxed().toList());
            Fsck.Report rep = Fsck.check(dev.path, client());
            assertThat(rep.defects()).as("fsck after %s@%d", point, h).isEmpty();
            assertThat(rep.warnings()).isEmpty();
            try (FamfsVolume v = Famfs.open(dev.path, client())) {
                for (int i : done) {
                    assertWhole(v, i);
                }
                // famfs has no atomic create-and-fill: the file is there, full size, never reported done.
                assertThat(v.openFile("d/f" + victim).size()).isEqualTo(size(victim));
            }
            carryOn(dev, victim, 2 + victim);
        }
    }

    /**
     * A new master finishes the work from {@code from} (the interrupted file is created anew
     * or, when it exists, overwritten in place as the publisher reuses copies); everything
     * reads back whole and fsck is clean. {@code entriesBefore}: the log entries the dead
     * master left (d, the files before {@code from}, and a created victim).
     */
    static void carryOn(TestDevices dev, int from, long entriesBefore) throws Exception {
        Path work = Files.createTempDirectory("fault-carry-on");
        try (MasterVolume m = Famfs.openMaster(dev.path, OpenOptions.defaults().withSystemUuid(dev.masterUuid))) {
            assertThat(m.appliedEntries()).isEqualTo(entriesBefore);
            m.mkdirs("d", CreateOptions.dir());
            for (int i = from; i < FILES; i++) {
                Path src = work.resolve("src" + i);
                Files.write(src, CrashTest.pattern(i, size(i)));
                try (var ch = java.nio.channels.FileChannel.open(src)) {
                    m.copyIn(ch, size(i), "d/f" + i, CreateOptions.file(), true, n -> { });
                }
            }
        } finally {
            try (var s = Files.list(work)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.delete(work);
        }
        Fsck.Report rep = Fsck.check(dev.path, client());
        assertThat(rep.defects()).isEmpty();
        assertThat(rep.warnings()).isEmpty();
        assertThat(rep.files()).isEqualTo(FILES);
        assertThat(rawHeader(dev.path).nextIndex()).isEqualTo(1 + FILES);
        try (FamfsVolume v = Famfs.open(dev.path, client())) {
            for (int i = 0; i < FILES; i++) {
                assertWhole(v, i);
            }
        }
    }
}
