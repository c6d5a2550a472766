package io.famfsrocks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sst-publish --json}: progress and the summary as one JSON object a line on stdout, nothing on stderr. */
class SstPublishJsonTest extends CliTestBase {
    @TempDir
    Path tmp;

    @Test
    void aPublicationReportsItsProgressAndSummaryAsJsonLines() throws Exception {
        mkfs();
        Path db = tmp.resolve("db");
        RocksDB.loadLibrary();
        try (Options o = new Options().setCreateIfMissing(true); RocksDB r = RocksDB.open(o, db.toString());
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            for (int f = 0; f < 3; f++) {
                for (int i = 0; i < 100; i++) {
                    r.put(("k" + f + "-" + i).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
                }
                r.flush(fo);
            }
        }
        Result r = master("sst-publish", "--json", "--device", d(), "--dataset", "j", "--db", db.toString(),
                "--journal-size", "1m").expect(ExitCode.OK);
        assertThat(r.err()).isEmpty();
        ObjectMapper m = new ObjectMapper();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        for (String l : lines) {
            assertThat(m.readTree(l).get("verb").asText()).as(l).isEqualTo("sst-publish");
        }
        JsonNode first = m.readTree(lines.get(0));
        assertThat(first.get("event").asText()).isEqualTo("progress");
        assertThat(first.get("unit").asText()).isEqualTo("SSTs");
        assertThat(first.get("total").asLong()).isEqualTo(3);
        JsonNode done = m.readTree(lines.get(lines.size() - 1));
        assertThat(done.get("event").asText()).isEqualTo("done");
        assertThat(done.get("dataset").asText()).isEqualTo("j");
        assertThat(done.get("version").asLong()).isEqualTo(1);
        assertThat(done.get("ssts").asLong()).isEqualTo(3);
        assertThat(done.get("ssts_copied").asLong()).isEqualTo(3);
        assertThat(done.get("log_entries_left").asLong()).isPositive();

        r = master("sst-publish", "--json", "--dry-run", "--device", d(), "--dataset", "j", "--db", db.toString());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
    }
}
