package io.famfsrocks.examples;

import io.famfsrocks.rocks.embed.PrimaryDb;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes orders FROM..TO into a RocksDB whose SSTs are published into famfs dataset "orders". */
public final class PrimaryExample {
    public static void main(String[] args) throws Exception {
        Path device = Path.of(args[0]);       // a famfs device this host is master of (famfs-rocks mkfs)
        Path dbDir = Path.of(args[1]);        // the RocksDB directory, on local storage
        int from = Integer.parseInt(args[2]);
        int to = Integer.parseInt(args[3]);

        try (Options options = new Options().setCreateIfMissing(true);
             PrimaryDb primary = PrimaryDb.builder(dbDir)
                     .device(device)
                     .dataset("orders")
                     .options(options)
                     .open()) {
            RocksDB db = primary.db();        // an ordinary RocksDB: put, get, write batches, iterators
            for (int i = from; i < to; i++) {
                db.put(("order-" + i).getBytes(StandardCharsets.UTF_8),
                        ("shipped " + i).getBytes(StandardCharsets.UTF_8));
            }
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush);              // replicas see what is flushed into SSTs
            }
            long version = primary.publishNow(30_000);
            System.out.println("published version " + version + " of dataset " + primary.dataset());
        } // closes the publisher first, then the DB, then the famfs volume
    }
}
