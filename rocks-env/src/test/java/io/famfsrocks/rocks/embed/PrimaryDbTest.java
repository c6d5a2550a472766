package io.famfsrocks.rocks.embed;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.TestDevice;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrimaryDbTest {
    static final PublisherConfig SMALL = PublisherConfig.defaults().withJournalSize(1 << 20);

    @TempDir
    Path tmp;

    private static void write(RocksDB db, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            db.put(("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
        }
    }

    @Test
    void publishesWhatIsFlushedClosesThePublisherBeforeTheDbOnceAndAReopenResumes() throws Exception {
        try (TestDevice dev = new TestDevice(256L << 20); Options options = new Options().setCreateIfMissing(true)) {
            Path db = tmp.resolve("db");
            PrimaryDb p = PrimaryDb.builder(db).device(dev.path).systemUuid(dev.master).dataset("t/db").options(options).open();
            write(p.db(), 0, 100);
            long v = p.publishNow(30_000);
            assertThat(v).isGreaterThanOrEqualTo(1);
            assertThat(p.metrics().sstsCopied()).isEqualTo(1);
            p.close();
            assertThat(p.metrics().phase()).as("the publisher is closed with the handle").isEqualTo(PublisherState.CLOSED);
            p.close(); // idempotent
            assertThatThrownBy(p::db).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThat(options.isOwningHandle()).as("the caller's options stay the caller's").isTrue();

            try (PrimaryDb again = PrimaryDb.builder(db).device(dev.path).systemUuid(dev.master).dataset("t/db")
                    .options(options).open()) {
                assertThat(again.metrics().sstsReused()).as("the shared SST is verified, not copied again").isEqualTo(1);
                write(again.db(), 100, 200);
                assertThat(again.publishNow(30_000)).isGreaterThan(v);
                assertThat(again.db().get("k150".getBytes(StandardCharsets.UTF_8))).isEqualTo("v150".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aHostThatIsNotTheMasterIsRefusedAndNothingStaysOpen() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20)) {
            Path db = tmp.resolve("db");
            assertThatThrownBy(() -> PrimaryDb.builder(db).device(dev.path).systemUuid(UUID.randomUUID().toString())
                    .dataset("d").publisherConfig(SMALL).open())
                    .isInstanceOf(FamfsException.class)
                    .satisfies(e -> assertThat(((FamfsException) e).kind()).isEqualTo(ErrorKind.NOT_MASTER));
            assertThat(db).doesNotExist();
        }
    }

    @Test
    void aDbThatCannotOpenFailsTypedAndReleasesTheVolume() throws Exception {
        try (TestDevice dev = new TestDevice(64L << 20)) {
            Path notADir = Files.writeString(tmp.resolve("file"), "x");
            assertThatThrownBy(() -> PrimaryDb.builder(notADir).device(dev.path).systemUuid(dev.master).dataset("d").publisherConfig(SMALL).open())
                    .isInstanceOf(BridgeException.class).hasMessageContaining("RocksDB failed to open");
            try (PrimaryDb p = PrimaryDb.builder(tmp.resolve("db")).device(dev.path).systemUuid(dev.master).dataset("d").publisherConfig(SMALL)
                    .open()) {
                assertThat(p.metrics().lastVersion()).as("the volume was released: a new primary publishes").isEqualTo(1);
            }
        }
    }
}
