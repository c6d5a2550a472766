package io.famfsrocks.rocks.journal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.famfsrocks.famfs.FamfsException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Coverage-guided fuzzing (Jazzer) of the journal decoders. Half the inputs are framed
 * with a correct CRC32C so the fuzzer reaches the payload decoder behind the checksum;
 * the rest are raw bytes and raw headers. Only a typed refusal (a FamfsException) may
 * come out: no index error, no huge allocation, no hang. Seeds (real version and seal
 * payloads, and what bounded runs kept) are in JournalFuzzTestInputs/decodersRefuseOrAccept/.
 */
class JournalFuzzTest {
    @FuzzTest(maxDuration = "10m", maxExecutions = 500_000)
    void decodersRefuseOrAccept(FuzzedDataProvider data) {
        int target = data.consumeInt(0, 2);
        try {
            switch (target) {
                case 0 -> {
                    // the type first: consumeBytes would otherwise take every byte and leave the
                    // type always 0, so no framed record ever reached the payload decoder
                    int type = data.consumeInt(0, 3);
                    byte[] payload = data.consumeBytes(4096);
                    ByteBuffer b = ByteBuffer.allocate(JournalCodec.FRAME + payload.length).order(ByteOrder.LITTLE_ENDIAN);
                    int len = payload.length;
                    b.putInt(0, len);
                    b.putInt(8, type);
                    b.put(JournalCodec.FRAME, payload);
                    CRC32C c = new CRC32C();
                    c.update(b.duplicate().position(8).limit(8 + 4 + len));
                    b.putInt(4, (int) c.getValue());
                    JournalCodec.decode(b, 0, b.capacity(), "fuzz");
                }
                case 1 -> {
                    byte[] raw = data.consumeRemainingAsBytes();
                    JournalCodec.decode(ByteBuffer.wrap(raw), 0, raw.length, "fuzz");
                }
                default -> JournalHeader.decode(ByteBuffer.wrap(data.consumeRemainingAsBytes()), "fuzz");
            }
        } catch (FamfsException expected) {
            // a typed refusal is a correct answer
        }
    }
}
