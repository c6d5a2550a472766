package io.famfsrocks.it;

import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.SstFileWriter;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small RocksDB directories and external SST files for the sst-publish tests. Stateless. */
final class TestDbs {
    private TestDbs() {}

    static byte[] key(int i) {
        return String.format("k%08d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static String value(int i, int generation) {
        return "v" + i + "." + generation;
    }

    /**
     * Writes keys [from, to) with value {@code value(i, generation)} padded with
     * {@code padding} random bytes, flushing every {@code perSst} keys so that each flush is one
     * SST, and closes the DB. Auto compactions are off so that the SST count is predictable.
     */
    static void write(Path dir, int from, int to, int generation, int perSst, int padding) throws Exception {
        RocksDB.loadLibrary();
        SplittableRandom rnd = new SplittableRandom(from);
        try (Options o = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true)
                .setCompressionType(CompressionType.NO_COMPRESSION).setWriteBufferSize(64L << 20);
             RocksDB db = RocksDB.open(o, dir.toString()); WriteOptions wo = new WriteOptions();
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            WriteBatch b = new WriteBatch();
            for (int i = from; i < to; i++) {
                b.put(key(i), value(i, generation, padding, rnd));
                if ((i - from + 1) % perSst == 0 || i == to - 1) {
                    db.write(wo, b);
                    b.close();
                    b = new WriteBatch();
                    db.flush(fo);
                }
            }
            b.close();
        }
    }

    private static byte[] value(int i, int generation, int padding, SplittableRandom rnd) {
        byte[] head = (value(i, generation) + (padding > 0 ? "|" : "")).getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[head.length + padding];
        System.arraycopy(head, 0, v, 0, head.length);
        for (int k = head.length; k < v.length; k++) {
            v[k] = (byte) ('a' + rnd.nextInt(26));
        }
        return v;
    }

    /** An external SST (SstFileWriter) with keys [from, to) and values {@code value(i, generation)}. */
    static Path sst(Path file, int from, int to, int generation) throws Exception {
        RocksDB.loadLibrary();
        try (EnvOptions eo = new EnvOptions(); Options o = new Options(); SstFileWriter w = new SstFileWriter(eo, o)) {
            w.open(file.toString());
            for (int i = from; i < to; i++) {
                w.put(key(i), value(i, generation).getBytes(StandardCharsets.US_ASCII));
            }
            w.finish();
        }
        return file;
    }
}
