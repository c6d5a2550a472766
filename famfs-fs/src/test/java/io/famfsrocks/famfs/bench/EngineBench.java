package io.famfsrocks.famfs.bench;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.format.LogHeader;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The engine benchmark (a program, not a test). Prints creates per second, the time to
 * replay a full 256 MiB log, and copy-in throughput as a ratio to {@code cp} into
 * /dev/shm measured in the same run. Run: {@code scripts/bench famfs-fs EngineBench}.
 */
public final class EngineBench {
    static final long MIB = 1 << 20;

    public static void main(String[] args) throws Exception {
        String host = UUID.randomUUID().toString();
        OpenOptions as = OpenOptions.defaults().withSystemUuid(host);
        String only = System.getProperty("only", "");
        if (only.isEmpty() || only.equals("creates")) {
            creates(host, as);
        }
        if (only.isEmpty() || only.equals("replay")) {
            replay(host, as);
        }
        if (only.isEmpty() || only.equals("copy")) {
            copy(host, as, args.length > 0 ? Long.parseLong(args[0]) * MIB : 1024 * MIB);
        }
    }

    static Path device(long size) {
        Path p = Path.of("/dev/shm", "famfs-bench-" + UUID.randomUUID());
        MemoryDevice.createFile(p, size);
        return p;
    }

    static void creates(String host, OpenOptions as) throws IOException {
        Path dev = device(64L << 30);
        try {
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host));
            try (MasterVolume v = Famfs.openMaster(dev, as)) {
                int n = 10_000;
                for (int i = 0; i < 500; i++) {
                    v.create("warm" + i, 4096, CreateOptions.file());
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    v.create("f" + i, 4096, CreateOptions.file());
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("creates: %d files in %.2f s = %.0f creates/s (log append + flock + alloc)%n", n, s, n / s);
            }
        } finally {
            Files.deleteIfExists(dev);
        }
    }

    static void replay(String host, OpenOptions as) throws IOException {
        long logLen = 256 * MIB;
        long slots = FamfsLayout.lastIndex(logLen) + 1;
        long dataStart = FamfsLayout.dataStart(logLen);
        Path dev = device(dataStart + slots * FamfsLayout.ALLOC_UNIT);
        try {
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host).withLogLen(logLen));
            try (MemoryDevice d = MemoryDevice.open(dev, true)) {
                // Fill every slot directly: 1,000 directories, files below them.
                long dirs = 1000;
                for (long i = 0; i < slots; i++) {
                    LogEntry e = i < dirs ? new LogEntry.MkdirEntry(0, 0, 0755, "dir" + i)
                            : new LogEntry.FileEntry(4096, 2, 0, 0, 0644, "dir" + (i % dirs) + "/file" + i,
                            new FileLayout.Simple(List.of(Extent.of(dataStart + i * FamfsLayout.ALLOC_UNIT,
                                    FamfsLayout.ALLOC_UNIT))));
                    LogEntry.encode(e, i, d.window(FamfsLayout.logEntryOffset(i), LogEntry.SIZE));
                }
                d.putLong(FamfsLayout.LOG_OFFSET + LogHeader.OFF_NEXT_SEQNUM, slots);
                d.putLong(FamfsLayout.LOG_OFFSET + LogHeader.OFF_NEXT_INDEX, slots);
            }
            if (System.getProperty("keep") != null) {
                System.out.println("kept " + dev);
                Runtime.getRuntime().halt(0);
            }
            OpenOptions client = OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString());
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                try (FamfsVolume v = Famfs.open(dev, client)) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    best = Math.min(best, s);
                    if (v.appliedEntries() != slots || v.replayError() != null) {
                        throw new AssertionError("replayed " + v.appliedEntries() + " of " + slots);
                    }
                }
            }
            System.out.printf("replay: full 256 MiB log, %d entries, in %.3f s (best of 3; goal < 1 s)%n", slots, best);
        } finally {
            Files.deleteIfExists(dev);
        }
    }

    static void copy(String host, OpenOptions as, long size) throws Exception {
        Path src = Path.of("/dev/shm", "famfs-bench-src-" + UUID.randomUUID());
        Path cpDst = Path.of("/dev/shm", "famfs-bench-cp-" + UUID.randomUUID());
        Path dev = device(size + (64 * MIB));
        try {
            fill(src, size);
            Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host));
            double cpBest = Double.MAX_VALUE;
            double famfsBest = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                Files.deleteIfExists(cpDst);
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("cp", src.toString(), cpDst.toString()).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IOException("cp failed");
                }
                cpBest = Math.min(cpBest, (System.nanoTime() - t0) / 1e9);
                Files.deleteIfExists(cpDst);
                Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host).withForce(true));
                // Start from unpopulated device pages, as cp starts from a new file.
                try (FileChannel ch = FileChannel.open(dev, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                }
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dev.toFile(), "rw")) {
                    f.setLength(size + 64 * MIB);
                }
                Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(host));
                try (MasterVolume v = Famfs.openMaster(dev, as)) {
                    long t1 = System.nanoTime();
                    v.copyIn(src, "copy", CreateOptions.file());
                    famfsBest = Math.min(famfsBest, (System.nanoTime() - t1) / 1e9);
                }
            }
            double gb = size / 1e9;
            System.out.printf("copy-in: %d MiB, famfs %.2f GB/s, cp into /dev/shm %.2f GB/s, ratio %.2f (goal >= 0.9)%n",
                    size / MIB, gb / famfsBest, gb / cpBest, cpBest / famfsBest);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(cpDst);
            Files.deleteIfExists(dev);
        }
    }

    static void fill(Path p, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect((int) (8 * MIB));
        byte[] chunk = new byte[(int) (8 * MIB)];
        new Random(1).nextBytes(chunk);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += chunk.length) {
                b.clear();
                b.put(chunk, 0, (int) Math.min(chunk.length, size - done)).flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }
}
