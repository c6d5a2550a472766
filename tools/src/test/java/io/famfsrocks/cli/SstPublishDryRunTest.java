package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 13 item 11: {@code sst-publish --dry-run} refuses the dataset names the real run refuses. */
class SstPublishDryRunTest extends CliTestBase {
    @TempDir
    Path tmp;

    @Test
    void aDryRunRefusesTheDatasetNamesTheRealRunRefuses() throws Exception {
        mkfs();
        master("creat", "-s", "4096", "--device", d(), "/f").expect(ExitCode.OK);
        Path db = tmp.resolve("db");
        RocksDB.loadLibrary();
        try (Options o = new Options().setCreateIfMissing(true); RocksDB r = RocksDB.open(o, db.toString());
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            r.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            r.flush(fo);
        }
        String[][] refused = {{"a/..", "10"}, {".", "10"}, {"x/./y", "10"}, {"f", "11"}, {"f/db", "11"}};
        for (String[] c : refused) {
            for (boolean dry : new boolean[] {true, false}) {
                Result r = dry
                        ? master("sst-publish", "--device", d(), "--dataset", c[0], "--db", db.toString(), "--dry-run")
                        : master("sst-publish", "--device", d(), "--dataset", c[0], "--db", db.toString());
                assertThat(r.code()).as("%s dry=%s: %s", c[0], dry, r.err()).isEqualTo(Integer.parseInt(c[1]));
                assertThat(r.err()).as(c[0]).contains(c[0].startsWith("f") ? "is a file in famfs" : "bad dataset name");
            }
        }
        Result ok = master("sst-publish", "--device", d(), "--dataset", "d/db1", "--db", db.toString(), "--dry-run");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("famfs has room");
    }
}
