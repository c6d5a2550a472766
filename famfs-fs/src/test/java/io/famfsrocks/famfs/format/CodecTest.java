package io.famfsrocks.famfs.format;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {
    static final Superblock SB = new Superblock(48, 8 << 20, FamfsLayout.ALLOC_UNIT, UUID.randomUUID(),
            UUID.randomUUID(), UUID.randomUUID(), 4L << 30, new UUID(0, 0), "/dev/dax0.0");

    @Test
    void structSizesMatchTheFormat() {
        assertThat(Superblock.SIZE).isEqualTo(200);
        assertThat(LogHeader.SIZE).isEqualTo(48);
        assertThat(LogEntry.SIZE).isEqualTo(544);
        assertThat(Extent.SIZE).isEqualTo(24);
        assertThat(FamfsLayout.lastIndex(8 << 20)).isEqualTo(15419);
        assertThat(FamfsLayout.lastIndex(256 << 20) + 1).isEqualTo(493_447);
    }

    @Test
    void superblockRoundTrips() {
        ByteBuffer b = ByteBuffer.allocate(Superblock.SIZE);
        SB.encodeTo(b);
        assertThat(Superblock.decode(b, 48)).isEqualTo(SB);
    }

    @Test
    void superblockChecksInOrder() {
        ByteBuffer b = ByteBuffer.allocate(Superblock.SIZE);
        SB.encodeTo(b);
        b.put(Superblock.OFF_FS_UUID, (byte) (b.get(Superblock.OFF_FS_UUID) ^ 1));
        assertThatThrownBy(() -> Superblock.decode(b, 48)).isInstanceOf(CorruptMediaException.class)
                .hasMessageContaining("crc").hasMessageContaining("0x60");
        assertThatThrownBy(() -> Superblock.decode(b, 47)).isInstanceOf(FamfsException.class)
                .hasMessage("famfs version 48, expected 47")
                .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.VERSION_MISMATCH));
        b.putLong(0, 0);
        assertThatThrownBy(() -> Superblock.decode(b, 48))
                .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.NOT_FAMFS));
    }

    @Test
    void version47IsSelectable() {
        Superblock v47 = new Superblock(47, SB.logLen(), SB.allocUnit(), SB.fsUuid(), SB.devUuid(), SB.systemUuid(),
                SB.deviceSize(), SB.deviceUuid(), SB.deviceName());
        ByteBuffer b = ByteBuffer.allocate(Superblock.SIZE);
        v47.encodeTo(b);
        assertThat(Superblock.decode(b, 47).version()).isEqualTo(47);
    }

    @Test
    void logHeaderRoundTripsAndRejectsBadCounters() {
        LogHeader h = new LogHeader(8 << 20, 15419, 7, 7);
        ByteBuffer b = ByteBuffer.allocate(LogHeader.SIZE);
        h.encodeTo(b);
        assertThat(LogHeader.decode(b, 8 << 20)).isEqualTo(h);
        b.order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(LogHeader.OFF_NEXT_INDEX, 15421);
        assertThatThrownBy(() -> LogHeader.decode(b, 8 << 20)).isInstanceOf(CorruptMediaException.class)
                .hasMessageContaining("next_index");
    }

    @Test
    void entriesRoundTrip() {
        List<LogEntry> entries = List.of(
                new LogEntry.MkdirEntry(1000, 1000, 0700, "a/b"),
                new LogEntry.FileEntry(5000000, 2, 1, 2, 0600, "a/b/f",
                        new FileLayout.Simple(List.of(Extent.of(0xc00000, 0x600000), Extent.of(0x2000000, 0x200000)))),
                new LogEntry.FileEntry(20 << 20, 2, 0, 0, 0644, "s",
                        new FileLayout.Interleaved(2 << 20, List.of(Extent.of(1L << 30, 6 << 20), Extent.of(2L << 30, 6 << 20)))),
                new LogEntry.DaxdevEntry(1L << 40, UUID.randomUUID(), 1));
        for (int i = 0; i < entries.size(); i++) {
            ByteBuffer b = ByteBuffer.allocate(LogEntry.SIZE);
            LogEntry.encode(entries.get(i), i, b);
            assertThat(LogEntry.decode(b, i)).isEqualTo(entries.get(i));
        }
    }

    @Test
    void entryCorruptionIsDetected() {
        ByteBuffer b = ByteBuffer.allocate(LogEntry.SIZE);
        LogEntry.encode(new LogEntry.MkdirEntry(0, 0, 0755, "d"), 3, b);
        assertThatThrownBy(() -> LogEntry.decode(b, 4)).hasMessageContaining("seqnum expected 4, found 3");
        b.put(300, (byte) 1); // padding is covered by the CRC
        assertThatThrownBy(() -> LogEntry.decode(b, 3)).isInstanceOf(CorruptMediaException.class)
                .hasMessageContaining("log entry 3").hasMessageContaining("crc");
    }

    @Test
    void namesAreCheckedNeverTruncated() {
        assertThat(FamfsPaths.problem("a/b")).isNull();
        assertThat(FamfsPaths.problem("x".repeat(79))).isNull();
        assertThat(FamfsPaths.problem("x".repeat(80))).contains("80 bytes");
        assertThat(FamfsPaths.problem("/abs")).contains("absolute");
        assertThat(FamfsPaths.problem("a/../b")).contains("'..'");
        assertThat(FamfsPaths.problem("a//b")).contains("empty");
        assertThat(FamfsPaths.problem("a/./b")).contains("'.'");
        assertThat(FamfsPaths.problem("")).contains("empty");
        assertThat(FamfsPaths.problem("a\0b")).contains("NUL");
        assertThatThrownBy(() -> LogEntry.encode(new LogEntry.MkdirEntry(0, 0, 0, "y".repeat(100)), 0,
                ByteBuffer.allocate(LogEntry.SIZE))).isInstanceOf(IllegalArgumentException.class);
    }
    /**
     * The CRC ranges docs/format.md gives, byte by byte: a flip inside a covered range (or
     * in the CRC) is refused before any field is trusted; a flip outside it is never
     * reported as a CRC mismatch (it decodes, or fails on that field's own check).
     */
    @Test
    void crcsCoverExactlyTheDocumentedBytes() {
        ByteBuffer sb = ByteBuffer.allocate(Superblock.SIZE);
        SB.encodeTo(sb);
        for (int i = 0; i < 8 * Superblock.SIZE; i++) {
            ByteBuffer b = flipped(sb, i);
            if (i / 8 < Superblock.OFF_CRC + 8) { // magic, version, then CRC over [0, 96)
                assertThatThrownBy(() -> Superblock.decode(b, 48)).as("superblock bit %d", i)
                        .isInstanceOf(FamfsException.class);
            } else {
                assertThat(failure(() -> Superblock.decode(b, 48))).as("superblock bit %d", i).doesNotContain("crc");
            }
        }
        ByteBuffer h = ByteBuffer.allocate(LogHeader.SIZE);
        new LogHeader(8 << 20, 15419, 7, 7).encodeTo(h);
        for (int i = 0; i < 8 * LogHeader.SIZE; i++) {
            ByteBuffer b = flipped(h, i);
            if (i / 8 < LogHeader.OFF_CRC + 8) { // magic, then CRC over [0, 24)
                assertThatThrownBy(() -> LogHeader.decode(b, 8 << 20)).as("log header bit %d", i)
                        .isInstanceOf(CorruptMediaException.class);
            } else { // the counters: checked for range only (7 -> 6 in next_index is a valid one-ahead skew)
                assertThat(failure(() -> LogHeader.decode(b, 8 << 20))).as("log header bit %d", i)
                        .doesNotContain("crc");
            }
        }
        ByteBuffer e = ByteBuffer.allocate(LogEntry.SIZE);
        LogEntry.encode(new LogEntry.FileEntry(5000000, 2, 1, 2, 0600, "a/b/f",
                new FileLayout.Simple(List.of(Extent.of(0xc00000, 0x600000)))), 9, e);
        for (int i = 0; i < 8 * LogEntry.SIZE; i++) { // seqnum, then CRC over [0, 536): padding included
            ByteBuffer b = flipped(e, i);
            assertThatThrownBy(() -> LogEntry.decode(b, 9)).as("log entry bit %d", i)
                    .isInstanceOf(CorruptMediaException.class)
                    .hasMessageContaining(i / 8 < 8 ? "seqnum" : "crc");
        }
    }

    /** A writer killed between its two counter stores leaves next_seqnum one ahead: accepted. */
    @Test
    void nextSeqnumMayBeOneAheadOfNextIndexButNoMore() {
        LogHeader.checkCounters(7, 7, 15419);
        LogHeader.checkCounters(7, 8, 15419);
        LogHeader.checkCounters(15420, 15420, 15419);
        assertThatThrownBy(() -> LogHeader.checkCounters(7, 9, 15419)).hasMessageContaining("next_seqnum");
        assertThatThrownBy(() -> LogHeader.checkCounters(7, 6, 15419)).hasMessageContaining("next_seqnum");
        assertThatThrownBy(() -> LogHeader.checkCounters(15421, 15421, 15419)).hasMessageContaining("next_index");
    }

    /** A copy of {@code good} with bit {@code bit % 8} of byte {@code bit / 8} flipped. */
    static ByteBuffer flipped(ByteBuffer good, int bit) {
        ByteBuffer b = ByteBuffer.allocate(good.capacity());
        b.put(good.duplicate().clear()).flip();
        b.put(bit / 8, (byte) (b.get(bit / 8) ^ (1 << (bit % 8))));
        return b;
    }

    /** The failure's message, or "" when the call succeeds. */
    static String failure(Runnable r) {
        try {
            r.run();
            return "";
        } catch (FamfsException ex) {
            return ex.getMessage();
        }
    }
}
