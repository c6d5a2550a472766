package io.famfsrocks.cli.rocks;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 13 item 11: progress printed "copied 1 of 0 SSTs" when the publisher copied more than planned. */
class PublishProgressTest {
    @Test
    void neverPrintsMoreDoneThanTheTotal() {
        StringWriter lines = new StringWriter();
        try (PublishProgress p = new PublishProgress(new PrintWriter(lines), 0, 0, false, true)) {
            p.update(0, 0);
            p.update(1, 4096);
        }
        assertThat(lines.toString()).contains("copied 1 of 1 SSTs, 4.00K of 4.00K").doesNotContain("1 of 0");
        StringWriter bar = new StringWriter();
        try (PublishProgress p = new PublishProgress(new PrintWriter(bar), 1, 100, true, false)) {
            p.update(3, 300);
        }
        assertThat(bar.toString()).contains("3/3 SSTs").doesNotContain("3/1");
    }
}
