package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalCodecTest {
    static JournalRecord.Version sample() {
        return new JournalRecord.Version(7, 12345, 1_700_000_000_000L, 1_699_999_999_000L, "OPTIONS-000009",
                List.of(new SstEntry(12, 4096, 0xdeadbeef), new SstEntry(15, 1 << 20, 42)), 5, 100,
                new byte[] {1, 2, 3, 4, 5});
    }

    @Test
    void versionRoundTrips() {
        JournalRecord.Version v = sample();
        ByteBuffer b = JournalCodec.encode(v);
        assertThat(b.remaining()).isEqualTo(JournalCodec.encodedSize(v)).isEqualTo(JournalCodec.align(b.remaining()));
        JournalRecord.Version d = (JournalRecord.Version) JournalCodec.decode(b, 0, b.remaining(), "t");
        assertThat(d).usingRecursiveComparison().isEqualTo(v);
        assertThat(d.manifestEnd()).isEqualTo(105);
    }

    @Test
    void sealRoundTrips() {
        ByteBuffer b = JournalCodec.encode(new JournalRecord.Seal(3));
        assertThat(b.remaining()).isEqualTo(16);
        assertThat(JournalCodec.decode(b, 0, 16, "t")).isEqualTo(new JournalRecord.Seal(3));
    }

    @Test
    void everyFlippedPayloadByteIsCaughtByTheCrc() {
        ByteBuffer good = JournalCodec.encode(sample());
        int len = good.getInt(0);
        for (int i = 4; i < 12 + len; i++) {
            ByteBuffer b = ByteBuffer.allocate(good.capacity());
            b.put(good.duplicate()).flip();
            b.put(i, (byte) (b.get(i) ^ 0x40));
            assertThatThrownBy(() -> JournalCodec.decode(b, 0, b.remaining(), "journal.0000"))
                    .isInstanceOf(FamfsException.class)
                    .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.CORRUPT_MEDIA))
                    .hasMessageContaining("journal.0000");
        }
    }

    @Test
    void aRecordBeyondTheCommittedLengthIsRejected() {
        ByteBuffer b = JournalCodec.encode(sample());
        assertThatThrownBy(() -> JournalCodec.decode(b, 0, b.remaining() - 8, "j"))
                .hasMessageContaining("committed length");
    }

    @Test
    void headerRoundTripsAndDetectsCorruption() {
        JournalHeader h = new JournalHeader(2, UUID.randomUUID(), "4b1f-identity", 1 << 20);
        ByteBuffer b = ByteBuffer.allocate(JournalHeader.SIZE);
        h.encodeTo(b);
        assertThat(JournalHeader.decode(b, "j")).isEqualTo(h);
        b.put(40, (byte) 'X');
        assertThatThrownBy(() -> JournalHeader.decode(b, "j")).hasMessageContaining("header CRC32C");
        b.putLong(0, 1);
        assertThatThrownBy(() -> JournalHeader.decode(b, "j")).hasMessageContaining("magic");
    }
}
