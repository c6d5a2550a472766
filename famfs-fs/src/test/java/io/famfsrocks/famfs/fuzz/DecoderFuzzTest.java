package io.famfsrocks.famfs.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.format.Superblock;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.device.MemoryDevice;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that decodes device bytes. One fuzz
 * target dispatches to each decoder, because Jazzer fuzzes one target per JVM: the
 * superblock, the log header, a log entry, and a whole volume whose log region holds
 * fuzzed bytes (open, replay, read, fsck). The only acceptable failure is a
 * {@link FamfsException}; anything else (an index error, an overflow, a hang) is a bug.
 */
class DecoderFuzzTest {
    static final Path DEVICE = Path.of("/dev/shm", "famfs-fuzz-" + ProcessHandle.current().pid());
    static final String MASTER = UUID.randomUUID().toString();
    static final OpenOptions CLIENT = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
    static byte[] pristine;

    static synchronized void ensureDevice() throws Exception {
        if (pristine != null) {
            return;
        }
        Files.deleteIfExists(DEVICE);
        MemoryDevice.createFile(DEVICE, 64L << 20);
        DEVICE.toFile().deleteOnExit();
        Mkfs.format(DEVICE, Mkfs.Options.defaults().withSystemUuid(MASTER));
        try (MasterVolume v = Famfs.openMaster(DEVICE, OpenOptions.defaults().withSystemUuid(MASTER))) {
            v.mkdirs("a/b", CreateOptions.dir());
            v.create("a/b/f", 3 << 20, CreateOptions.file());
            v.create("g", 100, CreateOptions.file());
        }
        try (var in = Files.newInputStream(DEVICE)) {
            pristine = in.readNBytes((int) (FamfsLayout.LOG_OFFSET + LogHeader.SIZE + 8 * LogEntry.SIZE));
        }
    }

    @FuzzTest(maxDuration = "20s")
    void decodersRefuseOrAccept(FuzzedDataProvider data) throws Exception {
        int target = data.consumeInt(0, 3);
        try {
            switch (target) {
                case 0 -> Superblock.decode(ByteBuffer.wrap(data.consumeBytes(Superblock.SIZE + 8)), 48);
                case 1 -> LogHeader.decode(ByteBuffer.wrap(data.consumeBytes(LogHeader.SIZE + 8)), 8 << 20);
                case 2 -> LogEntry.decode(ByteBuffer.wrap(data.consumeBytes(LogEntry.SIZE + 8)), data.consumeLong(0, 20));
                default -> volume(data);
            }
        } catch (FamfsException expected) {
            // a typed refusal is a correct answer
        }
    }

    /** Overwrites bytes of a real volume's superblock, header and entries, then uses it. */
    static void volume(FuzzedDataProvider data) throws Exception {
        ensureDevice();
        try (RandomAccessFile f = new RandomAccessFile(DEVICE.toFile(), "rw")) {
            f.seek(0);
            f.write(pristine);
            int patches = data.consumeInt(1, 8);
            for (int i = 0; i < patches; i++) {
                long region = data.consumeInt(0, 2);
                long base = region == 0 ? 0 : region == 1 ? FamfsLayout.LOG_OFFSET : FamfsLayout.logEntryOffset(0);
                long span = region == 0 ? Superblock.SIZE : region == 1 ? LogHeader.SIZE : 5L * LogEntry.SIZE;
                f.seek(base + data.consumeLong(0, span - 1));
                f.write(data.consumeBytes(data.consumeInt(1, 16)));
            }
        }
        Fsck.check(DEVICE, CLIENT);
        try (FamfsVolume v = Famfs.open(DEVICE, CLIENT)) {
            v.refresh();
            for (Node n : v.list("")) {
                if (n instanceof Node.File file) {
                    v.openFile(file.path()).read(file.size() - 1, ByteBuffer.allocate(8));
                }
            }
        }
    }
}
