package io.famfsrocks.cli.rocks;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's lag line: nearest-rank percentiles, and "max" instead of a p99 below 200 samples. */
class DemoFiguresTest {
    private static long[] millis(long from, long to) {
        return LongStream.rangeClosed(from, to).map(ms -> ms * 1_000_000).toArray();
    }

    @Test
    void twoHundredSamplesGiveAP99BelowTheMax() {
        long[] s = millis(1, 200); // 1 ms .. 200 ms
        // shuffled input: the line sorts a copy
        for (int i = 0; i < s.length; i += 2) {
            long t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        assertThat(DemoLag.lagLine(s)).isEqualTo("p50 100.0 ms, p99 198.0 ms over 200 samples");
    }

    @Test
    void fewerSamplesReportTheMaximumAsSuch() {
        assertThat(DemoLag.lagLine(millis(1, 199))).isEqualTo("p50 100.0 ms, max 199.0 ms over 199 samples");
        assertThat(DemoLag.lagLine(millis(7, 7))).isEqualTo("p50 7.0 ms, max 7.0 ms over 1 sample");
    }

    @Test
    void rssIsReadFromProc() {
        long[] rss = DemoMemory.rss(ProcessHandle.current().pid());
        assertThat(rss).isNotNull();
        assertThat(rss[0]).isPositive().isGreaterThanOrEqualTo(rss[1]);
        assertThat(DemoMemory.rss(Long.MAX_VALUE)).isNull();
    }

    @Test
    void theJsonReportHasEveryRowOfTheTableByName() {
        String table = "\nfamfs-rocks demo: a primary and two replica hosts on /dev/shm/famfs-demo (4.00G), 32 s\n"
                + String.format("  %-24s %s%n", "keys loaded", "200,000 (250,000 writes, last version 17)")
                + String.format("  %-24s %s%n", "lookups, local baseline", "148,854 lookups/s")
                + String.format("  %-24s %s%n", "", "(single-threaded random keys)");
        java.util.Map<String, String> rows = DemoCommand.reportRows(table);
        assertThat(rows).containsExactly(
                java.util.Map.entry("keys loaded", "200,000 (250,000 writes, last version 17)"),
                java.util.Map.entry("lookups, local baseline", "148,854 lookups/s (single-threaded random keys)"));
    }
}
