package io.famfsrocks.famfs.bench;

import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.VolumeGuard;
import io.famfsrocks.famfs.testing.TestDevices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * What the epoch check costs a lookup: the same random reads of a shared file, each a
 * 4 KiB block CRC'd (about what a point lookup touches in a cached SST block), without and
 * with {@link VolumeGuard#intact()} after each. Prints ns per lookup for both and their
 * ratio, alternating rounds so that both see the same machine.
 * {@code scripts/bench famfs-fs GuardBench [rounds] [lookupsPerRound]}
 */
public final class GuardBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        long fileSize = 64L << 20;
        try (TestDevices dev = TestDevices.formatted(256L << 20)) {
            try (MasterVolume m = Famfs.openMaster(dev.path, OpenOptions.defaults().withSystemUuid(dev.masterUuid))) {
                m.create("sst", fileSize, CreateOptions.file());
            }
            try (FamfsVolume v = Famfs.open(dev.path, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()))) {
                ByteBuffer view = v.openFile("sst").mappedView().order(ByteOrder.LITTLE_ENDIAN);
                VolumeGuard guard = VolumeGuard.of(v);
                int blocks = (int) (fileSize / 4096);
                long sink = 0;
                double plain = 0;
                double guarded = 0;
                for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
                    // Alternate which goes first, and give both the same blocks.
                    boolean guardFirst = (r & 1) == 1;
                    long t0 = System.nanoTime();
                    sink += run(view, blocks, n, guardFirst ? guard : null, r);
                    long t1 = System.nanoTime();
                    sink += run(view, blocks, n, guardFirst ? null : guard, r);
                    long t2 = System.nanoTime();
                    if (r > 0) {
                        plain += (guardFirst ? t2 - t1 : t1 - t0) / (double) n;
                        guarded += (guardFirst ? t1 - t0 : t2 - t1) / (double) n;
                    }
                }
                plain /= rounds;
                guarded /= rounds;
                System.out.printf("lookups/round %d, rounds %d%n", n, rounds);
                System.out.printf("plain lookup      %.1f ns%n", plain);
                System.out.printf("lookup + check    %.1f ns%n", guarded);
                System.out.printf("check cost        %.1f ns (ratio %.3f)%n", guarded - plain, guarded / plain);
                System.out.println("(ignore) " + sink);
            }
        }
    }

    private static long run(ByteBuffer view, int blocks, int n, VolumeGuard guard, int seed) {
        long x = 0x9E3779B97F4A7C15L * (seed + 1);
        long acc = 0;
        CRC32C crc = new CRC32C();
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int block = (int) Long.remainderUnsigned(x, blocks);
            crc.reset();
            crc.update(view.duplicate().position(block * 4096).limit(block * 4096 + 4096));
            acc += crc.getValue();
            if (guard != null && !guard.intact()) {
                throw new IllegalStateException("volume changed");
            }
        }
        return acc;
    }
}
