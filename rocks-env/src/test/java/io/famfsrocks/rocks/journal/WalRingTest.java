package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.WritableRegion;
import io.famfsrocks.rocks.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalRingTest {
    static final UUID ID = UUID.randomUUID();
    static final int SEG = 4096;
    static final long SIZE = WalFormat.DATA_START + 8L * SEG;

    static byte[] data(long seq, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    static WalRingWriter open(MasterVolume m) {
        m.mkdirs("ds", io.famfsrocks.famfs.fs.CreateOptions.dir()); // the journal writer makes it in a dataset
        return WalRingWriter.open(m, "ds", ID, SIZE, SEG);
    }

    static List<WalRecord> drain(WalRingReader r) {
        List<WalRecord> out = new ArrayList<>();
        r.poll(out);
        return out;
    }

    @Test
    void aFollowingReaderSeesEveryBatchInOrderAcrossSegmentsAndLaps() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster(); FamfsVolume c = dev.openClient()) {
            WalRingWriter w = open(m);
            WalRingReader r = new WalRingReader(c, "ds", ID);
            SplittableRandom rnd = new SplittableRandom(7);
            long seq = 1;
            List<WalRecord.Batch> got = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int len = rnd.nextInt(1, 900);
                assertThat(w.append(seq, 1 + len % 5, 1000 + i, data(seq, len))).isTrue();
                seq += 1 + len % 5;
                if (i % 3 == 0) {
                    for (WalRecord rec : drain(r)) {
                        assertThat(rec).isInstanceOf(WalRecord.Batch.class);
                        got.add((WalRecord.Batch) rec);
                    }
                }
            }
            drain(r).forEach(rec -> got.add((WalRecord.Batch) rec));
            assertThat(w.committed()).isGreaterThan(3 * (SIZE - WalFormat.DATA_START)); // wrapped several times
            assertThat(got).hasSize(2000);
            long expect = 1;
            for (WalRecord.Batch b : got) {
                assertThat(b.sequence()).isEqualTo(expect);
                assertThat(b.data()).isEqualTo(data(b.sequence(), b.data().length));
                expect = b.end();
            }
            assertThat(w.nextSequence()).isEqualTo(expect);
        }
    }

    @Test
    void aPausedReaderThatTheRingOvertookReportsTheLossAndContinuesWithIntactRecords() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster(); FamfsVolume c = dev.openClient()) {
            WalRingWriter w = open(m);
            WalRingReader r = new WalRingReader(c, "ds", ID);
            w.append(1, 1, 0, data(1, 100));
            assertThat(drain(r)).hasSize(1);
            long seq = 2;
            while (w.committed() < 3 * SIZE) { // the reader pauses for three laps
                w.append(seq, 1, 0, data(seq, 500));
                seq++;
            }
            List<WalRecord> out = drain(r);
            assertThat(out.get(0)).isInstanceOfSatisfying(WalRecord.Lost.class,
                    l -> assertThat(l.reason()).contains("fell behind the WAL ring"));
            List<WalRecord> rest = out.subList(1, out.size());
            assertThat(rest).isNotEmpty().allMatch(x -> x instanceof WalRecord.Batch);
            long expect = ((WalRecord.Batch) rest.get(0)).sequence();
            for (WalRecord x : rest) {
                WalRecord.Batch b = (WalRecord.Batch) x;
                assertThat(b.sequence()).isEqualTo(expect++);
                assertThat(b.data()).isEqualTo(data(b.sequence(), 500));
            }
            assertThat(expect).isEqualTo(seq);
        }
    }

    @Test
    void aCorruptRecordIsReportedAndNeverHandedOn() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster(); FamfsVolume c = dev.openClient()) {
            WalRingWriter w = open(m);
            WalRingReader r = new WalRingReader(c, "ds", ID);
            w.append(1, 1, 0, data(1, 100));
            assertThat(drain(r)).hasSize(1);
            long at = w.committed();
            w.append(2, 1, 0, data(2, 100));
            w.append(3, 1, 0, data(3, 100));
            WritableRegion region = m.openWritableRegion(DatasetPaths.walRing("ds"));
            int flip = (int) (WalFormat.DATA_START + at + 40); // inside record 2's WriteBatch bytes
            byte old = region.view().get(flip);
            region.write(flip, ByteBuffer.wrap(new byte[] {(byte) (old ^ 0x10)}));
            List<WalRecord> out = drain(r);
            assertThat(out).hasSize(1);
            assertThat(((WalRecord.Lost) out.get(0)).reason()).contains("record CRC32C");
            w.append(4, 1, 0, data(4, 100));
            assertThat(drain(r)).singleElement().isInstanceOfSatisfying(WalRecord.Batch.class,
                    b -> assertThat(b.sequence()).isEqualTo(4));
        }
    }

    @Test
    void bytesWrittenButNotCommittedAreInvisibleAndARestartedWriterContinuesAfterTheCommittedEnd() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster(); FamfsVolume c = dev.openClient()) {
            WalRingWriter w = open(m);
            w.append(1, 2, 0, data(1, 100));
            // A writer killed mid-record: a record's bytes are on the device, the end is not moved.
            WritableRegion region = m.openWritableRegion(DatasetPaths.walRing("ds"));
            long end = w.committed();
            region.write((int) (WalFormat.DATA_START + end), WalFormat.encodeBatch(end, new WalRecord.Batch(3, 1, 0, data(3, 50))));
            WalRingReader r = new WalRingReader(c, "ds", ID);
            assertThat(drain(r)).singleElement().isInstanceOfSatisfying(WalRecord.Batch.class,
                    b -> assertThat(b.sequence()).isEqualTo(1));
            WalRingWriter again = WalRingWriter.open(m, "ds", ID, SIZE, SEG);
            assertThat(again.committed()).isEqualTo(end);
            assertThat(again.nextSequence()).isEqualTo(3);
            again.append(3, 1, 0, data(3, 70));
            assertThat(drain(r)).singleElement().isInstanceOfSatisfying(WalRecord.Batch.class,
                    b -> assertThat(b.data()).hasSize(70));
        }
    }

    @Test
    void aBatchLargerThanASegmentIsRecordedAsLostAndTheRingOfAnotherDatasetIsRefused() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20); MasterVolume m = dev.openMaster(); FamfsVolume c = dev.openClient()) {
            WalRingWriter w = open(m);
            assertThat(w.append(1, 3, 0, new byte[SEG])).isFalse();
            WalRingReader r = new WalRingReader(c, "ds", ID);
            assertThat(drain(r)).singleElement().isInstanceOfSatisfying(WalRecord.Lost.class, l -> {
                assertThat(l.fromSequence()).isEqualTo(1);
                assertThat(l.toSequence()).isEqualTo(4);
            });
            assertThat(w.nextSequence()).isEqualTo(4);
            assertThatThrownBy(() -> new WalRingReader(c, "ds", UUID.randomUUID()).ready())
                    .isInstanceOfSatisfying(FamfsException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CORRUPT_MEDIA))
                    .hasMessageContaining("dataset id");
        }
    }

    @Test
    void headerAndRecordsRoundTripWithFixedSizesAndBytes() {
        WalFormat.Header h = new WalFormat.Header(SEG, new UUID(1, 2), SIZE);
        ByteBuffer hb = ByteBuffer.allocate(WalFormat.DATA_START);
        WalFormat.encodeHeader(h, hb);
        assertThat(WalFormat.decodeHeader(hb, "x")).isEqualTo(h);
        assertThat(hb.order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(WalFormat.WAL_MAGIC);
        assertThat(new String(hb.array(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("FRWAL001");
        hb.put(20, (byte) 9);
        assertThatThrownBy(() -> WalFormat.decodeHeader(hb, "x")).hasMessageContaining("header CRC32C");

        ByteBuffer rec = WalFormat.encodeBatch(4096, new WalRecord.Batch(7, 2, 99, new byte[] {1, 2, 3}));
        assertThat(rec.remaining()).isEqualTo(WalFormat.batchSize(3)).isEqualTo(48);
        // golden: length 31, type 1, logical 4096, sequence 7, count 2, at 99, bytes 1 2 3, zero padding
        ByteBuffer g = rec.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(g.getInt(0)).isEqualTo(31);
        assertThat(g.getInt(8)).isEqualTo(WalFormat.TYPE_BATCH);
        assertThat(g.getLong(12)).isEqualTo(4096);
        assertThat(g.getLong(20)).isEqualTo(7);
        assertThat(g.getInt(28)).isEqualTo(2);
        assertThat(g.getLong(32)).isEqualTo(99);
        assertThat(new byte[] {g.get(40), g.get(41), g.get(42), g.get(43)}).containsExactly(1, 2, 3, 0);
        WalFormat.Decoded d = WalFormat.decode(rec, 0, 4096, 4096, "x");
        assertThat(d.size()).isEqualTo(48);
        assertThat(((WalRecord.Batch) d.record()).data()).containsExactly(1, 2, 3);
        // a record of an older lap (same bytes, other logical offset) is refused
        assertThatThrownBy(() -> WalFormat.decode(rec, 0, 4096, 4096 + SIZE, "x")).hasMessageContaining("logical offset");
    }
}
