package io.famfsrocks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The long verbs' progress convention ({@link Progress}), on a clock the test moves. */
class ProgressTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    long now;

    Progress progress(Progress.Mode mode, String unit) {
        return new Progress(mode, new PrintWriter(out), new PrintWriter(err), "sst-publish", "sst-publish", "copied", unit,
                () -> now);
    }

    /** Updates every 100 ms for 2.5 s: 25 updates, each advancing. */
    void run(Progress p) {
        p.totals(4, 4096);
        for (int i = 1; i <= 25; i++) {
            now += 100_000_000L;
            p.update(Math.min(i / 5, 5), i * 200L);
        }
        p.close();
    }

    @Test
    void linesAreAtMostOneASecondAndTheLastStateIsShownOnClose() {
        run(progress(Progress.Mode.LINES, "SSTs"));
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(4); // at 0.1 s, 1.1 s, 2.1 s, and the final state on close
        assertThat(lines.get(0)).isEqualTo("sst-publish: copied 0 of 4 SSTs, 200 of 4.00K (4%)");
        assertThat(lines.get(3)).as("totals are a floor: never more done than the total")
                .isEqualTo("sst-publish: copied 5 of 5 SSTs, 4.88K of 4.88K (100%)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBarIsRedrawnInPlaceAtMostTenTimesASecondAndEndsItsLine() {
        run(progress(Progress.Mode.BAR, "SSTs"));
        String e = err.toString();
        assertThat(e.chars().filter(c -> c == '\r').count()).isBetween(20L, 26L);
        assertThat(e).contains("sst-publish [", "5/5 SSTs", "100%").endsWith(System.lineSeparator());
        assertThat(e.chars().filter(c -> c == '\n').count()).as("one line, ended on close").isEqualTo(1);
    }

    @Test
    void jsonIsOneObjectALineOnStdoutAtMostOneASecondThenTheSummary() throws Exception {
        Progress p = progress(Progress.Mode.JSON, "SSTs");
        run(p);
        p.line(p.event("done"));
        assertThat(err.toString()).isEmpty();
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String l : out.toString().lines().toList()) {
            events.add(m.readTree(l));
        }
        assertThat(events).hasSize(5);
        assertThat(events.get(0).get("verb").asText()).isEqualTo("sst-publish");
        assertThat(events.get(0).get("event").asText()).isEqualTo("progress");
        assertThat(events.get(0).get("unit").asText()).isEqualTo("SSTs");
        assertThat(events.get(3).get("done").asLong()).isEqualTo(5);
        assertThat(events.get(3).get("bytes_done").asLong()).isEqualTo(5000);
        assertThat(events.get(3).get("bytes_total").asLong()).isEqualTo(5000);
        assertThat(events.get(4).get("event").asText()).isEqualTo("done");
    }

    @Test
    void offShowsNothingAndTheModeFollowsTheFlags() {
        run(progress(Progress.Mode.OFF, null));
        assertThat(out.toString() + err.toString()).isEmpty();
        assertThat(Progress.Mode.of(null, true, false)).isEqualTo(Progress.Mode.JSON);
        assertThat(Progress.Mode.of(false, false, true)).isEqualTo(Progress.Mode.OFF);
        assertThat(Progress.Mode.of(null, false, false)).as("a small job").isEqualTo(Progress.Mode.OFF);
        assertThat(Progress.Mode.of(true, false, false)).as("no terminal here").isEqualTo(Progress.Mode.LINES);
        assertThat(Progress.Mode.of(null, false, true)).isEqualTo(Progress.Mode.LINES);
    }
}
