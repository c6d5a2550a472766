package io.famfsrocks.famfs.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
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
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that decodes device bytes. One fuzz
 * target dispatches to each decoder, because Jazzer fuzzes one target per JVM: the
 * superblock, the log header, a log entry, and a whole volume whose metadata holds
 * fuzzed bytes (open, replay, read, fsck). The only acceptable failure is a
 * {@link FamfsException}; anything else (an index error, an overflow, a hang) is a bug.
 *
 * <p>Every decoder checks a CRC before it looks at the fields behind it, and a fuzzer
 * almost never guesses a CRC. So half the inputs ("repair" mode) start from the real
 * encoded structs of a formatted volume, patch fuzzed bytes into them and then store the
 * correct CRC32 over the patched bytes: those inputs get past the checksum to the field
 * checks (alloc unit, log placement, counters, entry types, extents, paths). The other
 * half are raw bytes, with whatever CRC they carry.
 *
 * <p>Seeds and earlier findings live in {@code DecoderFuzzTestInputs/decodersRefuseOrAccept/}
 * under src/test/resources; see docs/reliability.md for runs and campaigns.
 */
class DecoderFuzzTest {
    static final Path DEVICE = Path.of("/dev/shm", "famfs-fuzz-" + ProcessHandle.current().pid());
    // fixed identities, so the pristine volume (and so each input's path) is the same in every run
    static final String MASTER = "0f0f0f0f-1111-2222-3333-444444444444";
    static final OpenOptions CLIENT = OpenOptions.defaults().withSystemUuid("c1c1c1c1-5555-6666-7777-888888888888");
    static final int SLOTS = 5; // entries 0..3 are the four records below, slot 4 is unused
    static byte[] pristine;

    static synchronized void ensureDevice() throws Exception {
        if (pristine != null) {
            return;
        }
        Files.deleteIfExists(DEVICE);
        MemoryDevice.createFile(DEVICE, 64L << 20);
        DEVICE.toFile().deleteOnExit();
        Mkfs.format(DEVICE, Mkfs.Options.defaults().withSystemUuid(MASTER).withIdentity(
                UUID.fromString("a0a0a0a0-0000-0000-0000-000000000001"),
                UUID.fromString("a0a0a0a0-0000-0000-0000-000000000002"), "fuzz"));
        try (MasterVolume v = Famfs.openMaster(DEVICE, OpenOptions.defaults().withSystemUuid(MASTER))) {
            v.mkdirs("a/b", CreateOptions.dir());
            v.create("a/b/f", 3 << 20, CreateOptions.file());
            v.create("g", 100, CreateOptions.file());
        }
        try (var in = Files.newInputStream(DEVICE)) {
            pristine = in.readNBytes((int) FamfsLayout.logEntryOffset(8));
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 12_000)
    void decodersRefuseOrAccept(FuzzedDataProvider data) throws Exception {
        ensureDevice();
        int target = data.consumeInt(0, 3);
        boolean repair = data.consumeBoolean();
        try {
            switch (target) {
                case 0 -> Superblock.decode(repair ? repaired(data, 0, Superblock.SIZE, Superblock.OFF_CRC)
                        : ByteBuffer.wrap(data.consumeBytes(Superblock.SIZE + 8)), 48);
                case 1 -> LogHeader.decode(repair ? repaired(data, FamfsLayout.LOG_OFFSET, LogHeader.SIZE, LogHeader.OFF_CRC)
                        : ByteBuffer.wrap(data.consumeBytes(LogHeader.SIZE + 8)), 8 << 20);
                case 2 -> {
                    long index = data.consumeLong(0, repair ? SLOTS - 1 : 20);
                    LogEntry.decode(repair ? repaired(data, FamfsLayout.logEntryOffset(index), LogEntry.SIZE, LogEntry.OFF_CRC)
                            : ByteBuffer.wrap(data.consumeBytes(LogEntry.SIZE + 8)), index);
                }
                default -> volume(data, repair);
            }
        } catch (FamfsException expected) {
            // a typed refusal is a correct answer
        }
    }

    /** The pristine struct at {@code base}, with fuzzed patches and then its correct CRC. */
    static ByteBuffer repaired(FuzzedDataProvider data, long base, int size, int crcOffset) {
        ByteBuffer copy = pristineStruct(base, size);
        patch(data, copy.array(), size);
        return withCrc(copy, crcOffset);
    }

    /** Stores the CRC32 of bytes [0, crcOffset) at crcOffset, as the encoders do. */
    static ByteBuffer withCrc(ByteBuffer b, int crcOffset) {
        return b.putLong(crcOffset, crc(b.array(), 0, crcOffset));
    }

    /** The pristine struct of {@code size} bytes at {@code base}, as a little-endian copy. */
    static ByteBuffer pristineStruct(long base, int size) {
        return ByteBuffer.wrap(java.util.Arrays.copyOfRange(pristine, (int) base, (int) base + size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Repair mode does what it is for: a field changed behind the CRC is refused by that
     * field's own check, not by the CRC (without the repair each of these is a CRC error).
     */
    @Test
    void repairedStructsGetPastTheCrcToTheFieldChecks() throws Exception {
        ensureDevice();
        ByteBuffer sb = pristineStruct(0, Superblock.SIZE).putLong(Superblock.OFF_ALLOC_UNIT, 0x1234);
        assertThatThrownBy(() -> Superblock.decode(sb, 48)).hasMessageContaining("crc");
        assertThatThrownBy(() -> Superblock.decode(withCrc(sb, Superblock.OFF_CRC), 48)).hasMessageContaining("alloc_unit");
        ByteBuffer h = pristineStruct(FamfsLayout.LOG_OFFSET, LogHeader.SIZE).putLong(LogHeader.OFF_LAST_INDEX, 0);
        assertThatThrownBy(() -> LogHeader.decode(h, 8 << 20)).hasMessageContaining("crc");
        assertThatThrownBy(() -> LogHeader.decode(withCrc(h, LogHeader.OFF_CRC), 8 << 20)).hasMessageContaining("last_index");
        ByteBuffer e = pristineStruct(FamfsLayout.logEntryOffset(2), LogEntry.SIZE).putInt(LogEntry.OFF_TYPE, 99);
        assertThatThrownBy(() -> LogEntry.decode(e, 2)).hasMessageContaining("crc");
        assertThatThrownBy(() -> LogEntry.decode(withCrc(e, LogEntry.OFF_CRC), 2)).hasMessageContaining("type");
    }

    /** Writes 1-8 runs of fuzzed bytes at fuzzed offsets in {@code [0, span)} of {@code b}. */
    static void patch(FuzzedDataProvider data, byte[] b, int span) {
        int patches = data.consumeInt(1, 8);
        for (int i = 0; i < patches; i++) {
            int at = data.consumeInt(0, span - 1);
            byte[] bytes = data.consumeBytes(data.consumeInt(1, 16));
            System.arraycopy(bytes, 0, b, at, Math.min(bytes.length, span - at));
        }
    }

    static long crc(byte[] b, int from, int len) {
        CRC32 c = new CRC32();
        c.update(b, from, len);
        return c.getValue();
    }

    /**
     * Overwrites bytes of a real volume's superblock, header and first entries (and, in
     * repair mode, stores the correct CRC of every struct it touched), then uses it.
     */
    static void volume(FuzzedDataProvider data, boolean repair) throws Exception {
        byte[] image = pristine.clone();
        int patches = data.consumeInt(1, 8);
        boolean[] touched = new boolean[2 + SLOTS];
        for (int i = 0; i < patches; i++) {
            int region = data.consumeInt(0, 2);
            int base = (int) (region == 0 ? 0 : region == 1 ? FamfsLayout.LOG_OFFSET : FamfsLayout.logEntryOffset(0));
            int span = region == 0 ? Superblock.SIZE : region == 1 ? LogHeader.SIZE : SLOTS * LogEntry.SIZE;
            int at = data.consumeInt(0, span - 1);
            byte[] bytes = data.consumeBytes(data.consumeInt(1, 16));
            int n = Math.min(bytes.length, span - at);
            System.arraycopy(bytes, 0, image, base + at, n);
            if (region < 2) {
                touched[region] = true;
            } else {
                for (int slot = at / LogEntry.SIZE; slot <= (at + n - 1) / LogEntry.SIZE; slot++) {
                    touched[2 + slot] = true;
                }
            }
        }
        if (repair) {
            ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            if (touched[0]) {
                b.putLong(Superblock.OFF_CRC, crc(image, 0, Superblock.OFF_CRC));
            }
            if (touched[1]) {
                int h = (int) FamfsLayout.LOG_OFFSET;
                b.putLong(h + LogHeader.OFF_CRC, crc(image, h, LogHeader.OFF_CRC));
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                if (touched[2 + slot]) {
                    int e = (int) FamfsLayout.logEntryOffset(slot);
                    b.putLong(e + LogEntry.OFF_CRC, crc(image, e, LogEntry.OFF_CRC));
                }
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(DEVICE.toFile(), "rw")) {
            f.seek(0);
            f.write(image);
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
