package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The control file's three records: sizes, fixed offsets, round trips, every flipped bit caught. */
class EpochRecordsTest {
    static final UUID POOL = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    static final UUID VOL = UUID.fromString("10000000-0000-0000-0000-000000000001");
    static final UUID PREV = UUID.fromString("20000000-0000-0000-0000-000000000002");
    static final UUID HOST = UUID.fromString("30000000-0000-0000-0000-000000000003");

    static EpochHeader header() {
        return new EpochHeader(64, POOL, VOL, PREV, 7, 1_700_000_000_000L, "bench/ds-1");
    }

    static SealRecord seal() {
        return new SealRecord(8, VOL, 123_456, 1_700_000_000_500L);
    }

    static AckSlot slot() {
        return new AckSlot(99, HOST, 7, 8, 7, 1_700_000_000_900L, 5);
    }

    static ByteBuffer encode(int size, java.util.function.Consumer<ByteBuffer> enc) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        enc.accept(b);
        return b;
    }

    @Test
    void sizesFitTheirCacheLinesAndTheLayout() {
        assertThat(EpochHeader.SIZE).isEqualTo(132).isLessThanOrEqualTo(EpochFile.SEAL_OFFSET);
        assertThat(SealRecord.SIZE).isEqualTo(52).isLessThanOrEqualTo(64);
        assertThat(AckSlot.SIZE).isEqualTo(64);
        assertThat(EpochFile.SEAL_OFFSET % 64).isZero();
        assertThat(EpochFile.SLOTS_OFFSET % 4096).isZero();
    }

    @Test
    void fieldsSitAtTheDocumentedOffsets() {
        ByteBuffer h = encode(EpochHeader.SIZE, header()::encodeTo);
        assertThat(HexFormat.of().formatHex(h.array(), 0, 8)).isEqualTo("465245504f434831"); // "FREPOCH1"
        assertThat(h.getInt(8)).isEqualTo(1);
        assertThat(h.getInt(12)).isEqualTo(64);
        assertThat(h.getLong(16)).isEqualTo(POOL.getMostSignificantBits());
        assertThat(h.getLong(40)).isEqualTo(VOL.getLeastSignificantBits());
        assertThat(h.getLong(48)).isEqualTo(PREV.getMostSignificantBits());
        assertThat(h.getLong(64)).isEqualTo(7);
        assertThat(h.get(80)).isEqualTo((byte) 'b');
        ByteBuffer s = encode(SealRecord.SIZE, seal()::encodeTo);
        assertThat(HexFormat.of().formatHex(s.array(), 0, 8)).isEqualTo("46525345414c3031"); // "FRSEAL01"
        assertThat(s.getLong(8)).isEqualTo(8);
        assertThat(s.getLong(32)).isEqualTo(123_456);
        ByteBuffer a = encode(AckSlot.SIZE, slot()::encodeTo);
        assertThat(a.getLong(0)).isEqualTo(99);
        assertThat(a.getLong(24)).isEqualTo(7);
        assertThat(a.getLong(32)).isEqualTo(8);
        assertThat(a.getLong(40)).isEqualTo(7);
        assertThat(a.getInt(56)).isEqualTo(5);
    }

    @Test
    void recordsRoundTrip() {
        assertThat(EpochHeader.decode(encode(EpochHeader.SIZE, header()::encodeTo), "t")).isEqualTo(header());
        assertThat(SealRecord.decode(encode(SealRecord.SIZE, seal()::encodeTo), "t")).isEqualTo(seal());
        assertThat(AckSlot.decode(encode(AckSlot.SIZE, slot()::encodeTo), "t")).isEqualTo(slot());
        assertThat(slot().hasReleased(7)).isTrue();
        assertThat(slot().hasReleased(8)).isFalse();
    }

    @Test
    void zeroedSealAndSlotMeanNotSealedAndNeverWritten() {
        assertThat(SealRecord.decode(ByteBuffer.allocate(64), "t")).isNull();
        assertThat(AckSlot.decode(ByteBuffer.allocate(64), "t")).isNull();
        assertThatThrownBy(() -> EpochHeader.decode(ByteBuffer.allocate(EpochHeader.SIZE), "t"))
                .hasMessageContaining("magic");
    }

    @Test
    void shortBuffersAreRefusedBeforeAnythingIsRead() {
        assertThatThrownBy(() -> EpochHeader.decode(ByteBuffer.allocate(100), "ctl"))
                .hasMessageContaining("at least 132 bytes");
        assertThatThrownBy(() -> SealRecord.decode(ByteBuffer.allocate(51), "ctl")).hasMessageContaining("at least 52");
        assertThatThrownBy(() -> AckSlot.decode(ByteBuffer.allocate(63), "ctl")).hasMessageContaining("at least 64");
    }

    /** Every bit of every byte the CRC covers, and the CRC itself: each flip is CORRUPT_MEDIA naming the file. */
    @Test
    void everyFlippedBitIsCaught() {
        flipAll(encode(EpochHeader.SIZE, header()::encodeTo), EpochHeader.SIZE, b -> EpochHeader.decode(b, "ds/epoch.ctl"), 8, 12);
        flipAll(encode(SealRecord.SIZE, seal()::encodeTo), SealRecord.SIZE, b -> SealRecord.decode(b, "ds/epoch.ctl"), -1, -1);
        flipAll(encode(AckSlot.SIZE, slot()::encodeTo), AckSlot.SIZE, b -> AckSlot.decode(b, "ds/epoch.ctl"), -1, -1);
    }

    /** Flips in {@code [versionFrom, versionTo)} are reported as VERSION_MISMATCH, the rest as CORRUPT_MEDIA. */
    private static void flipAll(ByteBuffer good, int size, Function<ByteBuffer, Object> decode, int versionFrom, int versionTo) {
        int flips = 0;
        for (int i = 0; i < size; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                b.put(good.duplicate().clear()).flip();
                b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                ErrorKind want = i >= versionFrom && i < versionTo ? ErrorKind.VERSION_MISMATCH : ErrorKind.CORRUPT_MEDIA;
                assertThatThrownBy(() -> decode.apply(b)).as("byte %d bit %d", i, bit)
                        .isInstanceOf(FamfsException.class)
                        .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(want))
                        .hasMessageContaining(want == ErrorKind.CORRUPT_MEDIA ? "ds/epoch.ctl" : "epoch format");
                flips++;
            }
        }
        assertThat(flips).isEqualTo(size * 8);
    }
}
