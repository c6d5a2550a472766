package io.famfsrocks.famfs.device;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.testing.ChildJvm;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappedRegionTest {
    /** Child: {@code DEV OFFSET LENGTH VALUE}: stores VALUE in the region's first word, then its last word. */
    public static void main(String[] args) {
        Path dev = Path.of(args[0]);
        long offset = Long.parseLong(args[1]);
        int length = Integer.parseInt(args[2]);
        long value = Long.parseLong(args[3]);
        try (MappedRegion r = MappedRegion.open(dev, offset, length, true, CacheCoherence.COHERENT)) {
            r.putLongRelease(0, value);
            r.putLongRelease(length - 8, ~value);
            r.flush(0, length);
            System.out.println("stored");
        }
    }

    @Test
    void anotherProcessStoresIntoItsRegionAndNowhereElse() throws Exception {
        try (TestDevices dev = TestDevices.blank(16L << 20)) {
            long offset = (5L << 20) + 4096 + 192; // inside a page, on a cache line
            String[] r = ChildJvm.finish(ChildJvm.start(UUID.randomUUID().toString(), MappedRegionTest.class,
                    dev.path.toString(), Long.toString(offset), "64", "123456789"), 60);
            assertThat(r[1]).contains("stored");
            try (MemoryDevice d = MemoryDevice.open(dev.path, false)) {
                assertThat(d.getLong(offset)).isEqualTo(123456789L);
                assertThat(d.getLong(offset + 56)).isEqualTo(~123456789L);
                // Nothing before or after the 64 bytes moved, on the same page or elsewhere.
                assertThat(d.getLong(offset - 8)).isZero();
                assertThat(d.getLong(offset + 64)).isZero();
                for (long at = 0; at < d.size(); at += 4096) {
                    if (at != ((offset) & ~4095L)) {
                        assertThat(d.getLong(at)).as("page at %d", at).isZero();
                    }
                }
            }
        }
    }

    @Test
    void seesStoresOfTheWholeDeviceMappingAndTheOtherWayRound() {
        try (TestDevices dev = TestDevices.blank(8L << 20);
             MemoryDevice d = MemoryDevice.open(dev.path, true);
             MappedRegion r = MappedRegion.open(dev.path, 3 * 4096 + 64, 128, true, CacheCoherence.COHERENT)) {
            d.putLong(3 * 4096 + 64 + 8, 42);
            assertThat(r.getLongAcquire(8)).isEqualTo(42);
            r.write(16, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            r.putLongRelease(120, 7);
            assertThat(d.getLong(3 * 4096 + 64 + 120)).isEqualTo(7);
            ByteBuffer got = ByteBuffer.allocate(3);
            d.read(3 * 4096 + 64 + 16, got);
            assertThat(got.array()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void refusesWritesWhenReadOnlyAndAccessOutsideTheRegion() {
        try (TestDevices dev = TestDevices.blank(8L << 20);
             MappedRegion ro = MappedRegion.open(dev.path, 8192, 64, false, CacheCoherence.COHERENT)) {
            assertThatThrownBy(() -> ro.putLongRelease(0, 1)).isInstanceOf(FamfsException.class)
                    .satisfies(t -> assertThat(((FamfsException) t).kind()).isEqualTo(ErrorKind.NOT_PERMITTED));
            assertThatThrownBy(() -> ro.getLongAcquire(64)).isInstanceOf(FamfsException.class)
                    .hasMessageContaining("outside the 64-byte region");
            assertThatThrownBy(() -> ro.getLongAcquire(4)).hasMessageContaining("not 8-byte aligned");
            assertThatThrownBy(() -> MappedRegion.open(dev.path, (8L << 20) - 32, 64, false, CacheCoherence.COHERENT))
                    .isInstanceOf(FamfsException.class).hasMessageContaining("outside device");
            ro.close();
            assertThatThrownBy(() -> ro.getLongAcquire(0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
