package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /**
     * Every bit of every byte a reader interprets, in a version record and a seal record:
     * the length, the CRC, the type and the payload ({@code [0, 12 + L)}). Each flip is
     * refused as CORRUPT_MEDIA naming the journal: a length flipped upwards by the
     * committed-length check, any other flip by the CRC32C. The zero padding after the
     * payload is read by no one: a flip there changes nothing decoded.
     */
    @Test
    void everyFlippedBitOfAnEncodedRecordIsCaught() {
        for (JournalRecord r : List.of(sample(), new JournalRecord.Seal(3))) {
            ByteBuffer good = JournalCodec.encode(r);
            int len = good.getInt(0);
            int used = JournalCodec.FRAME + len;
            int flips = 0;
            for (int i = 0; i < good.capacity(); i++) {
                for (int bit = 0; bit < 8; bit++) {
                    ByteBuffer b = ByteBuffer.allocate(good.capacity()).order(ByteOrder.LITTLE_ENDIAN);
                    b.put(good.duplicate()).flip();
                    b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                    String at = "byte " + i + " bit " + bit + " of a " + r.getClass().getSimpleName();
                    if (i < used) {
                        assertThatThrownBy(() -> JournalCodec.decode(b, 0, b.remaining(), "journal.0000"))
                                .as(at)
                                .isInstanceOf(FamfsException.class)
                                .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.CORRUPT_MEDIA))
                                .hasMessageContaining("corrupt journal journal.0000 at offset 0x");
                        flips++;
                    } else {
                        assertThat(JournalCodec.decode(b, 0, b.remaining(), "journal.0000"))
                                .as(at).usingRecursiveComparison().isEqualTo(r);
                    }
                }
            }
            assertThat(flips).isEqualTo(8 * used);
        }
    }

    @Test
    void aRecordBeyondTheCommittedLengthIsRejected() {
        ByteBuffer b = JournalCodec.encode(sample());
        assertThatThrownBy(() -> JournalCodec.decode(b, 0, b.remaining() - 8, "j"))
                .hasMessageContaining("committed length");
    }

    /**
     * Every bit of the CRC-covered header bytes [0, 104) and of the CRC itself: a flipped
     * format version is VERSION_MISMATCH, anything else CORRUPT_MEDIA, each naming the
     * journal and the offset of the field that failed.
     */
    @Test
    void headerRoundTripsAndEveryFlippedBitIsRefused() {
        JournalHeader h = new JournalHeader(2, UUID.randomUUID(), "4b1f-identity", 1 << 20);
        ByteBuffer good = ByteBuffer.allocate(JournalHeader.SIZE);
        h.encodeTo(good);
        assertThat(JournalHeader.decode(good, "j")).isEqualTo(h);
        for (int i = 0; i < JournalHeader.CRC_OFFSET + 4; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer b = ByteBuffer.allocate(JournalHeader.SIZE);
                b.put(good.duplicate()).flip();
                b.put(i, (byte) (b.get(i) ^ (1 << bit)));
                boolean version = i >= 8 && i < 12;
                String offset = i < 8 ? "0x0" : "0x" + Integer.toHexString(JournalHeader.CRC_OFFSET);
                var refused = assertThatThrownBy(() -> JournalHeader.decode(b, "journal.0002"))
                        .as("header byte %d bit %d", i, bit)
                        .isInstanceOf(FamfsException.class)
                        .satisfies(e -> assertThat(((FamfsException) e).kind())
                                .isEqualTo(version ? ErrorKind.VERSION_MISMATCH : ErrorKind.CORRUPT_MEDIA));
                if (version) {
                    refused.hasMessageStartingWith("journal.0002: journal format ");
                } else {
                    refused.hasMessageContaining("corrupt journal journal.0002 at offset " + offset + ":");
                }
            }
        }
    }
}
