package io.famfsrocks.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page of {@code ./famfs-rocks replica serve} at {@code /}, loaded in a real
 * headless browser (Debian's chromium) against a replica in its own process that follows a
 * primary writing and compacting, while a client reads: what the page's script put in the
 * DOM agrees with {@code /status.json} and {@code /health} read around the load (dataset,
 * readiness, version, epoch shown as "-", SSTs, pool space, build), the lag chart has a
 * point per second sampled, and the request rate of {@code /get} is above zero.
 */
class StatusPageIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStatusPageShowsTheRunningReplicaInARealBrowser() throws Exception {
        Path chromium = HeadlessBrowser.require();
        try (ServeLoad s = new ServeLoad(20_000, 2_000)) {
            s.startServer(2);
            s.startWriting();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong answered = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        s.get(String.format("/get?key=key-%08d", ThreadLocalRandom.current().nextInt(20_000)));
                        answered.incrementAndGet();
                        Thread.sleep(2);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "status-page-reader");
            reader.start();
            try {
                long deadline = System.currentTimeMillis() + 60_000;
                while (JSON.readTree(s.get("/status.json").body()).get("history").size() < 5) {
                    assertThat(System.currentTimeMillis()).as("5 s of history within 60 s").isLessThan(deadline);
                    Thread.sleep(200);
                }
                JsonNode before = JSON.readTree(s.get("/status.json").body());
                String dom = HeadlessBrowser.dumpDom(chromium, "http://127.0.0.1:" + s.port + "/", 3_000);
                JsonNode after = JSON.readTree(s.get("/status.json").body());
                System.out.println("status page as chromium showed it: dataset " + cell(dom, "dataset") + "; health "
                        + cell(dom, "health") + "; version " + cell(dom, "version") + "; epoch " + cell(dom, "epoch")
                        + "; lag " + cell(dom, "lag") + "; SSTs " + cell(dom, "ssts") + "; space " + cell(dom, "space"));

                assertThat(cell(dom, "dataset")).isEqualTo("served");
                assertThat(cell(dom, "health")).isEqualTo("ready");
                assertThat(s.get("/health/ready").statusCode()).isEqualTo(200);
                long shown = Long.parseLong(cell(dom, "version").replaceAll("^(\\d+).*", "$1"));
                assertThat(shown).as("the version shown").isBetween(before.get("version").asLong(), after.get("version").asLong());
                assertThat(cell(dom, "epoch")).as("no epochs yet").isEqualTo("-");
                assertThat(cell(dom, "sequence")).matches("\\d+");
                assertThat(cell(dom, "lag")).matches("\\d+ ms");
                Matcher ssts = Pattern.compile("(\\d+) SSTs, [0-9.]+ (B|KiB|MiB|GiB)").matcher(cell(dom, "ssts"));
                assertThat(ssts.matches()).as(cell(dom, "ssts")).isTrue();
                assertThat(Long.parseLong(ssts.group(1))).isPositive();
                assertThat(cell(dom, "space")).as("the pool's size as /status.json gives it")
                        .contains(" used of " + bytes(after.get("space_bytes").asLong()) + ", ").endsWith(" free");
                assertThat(cell(dom, "build")).isEqualTo(after.get("build").asText());

                Matcher line = Pattern.compile("id=\"lagline\" points=\"([^\"]*)\" data-samples=\"(\\d+)\"").matcher(dom);
                assertThat(line.find()).as("the lag chart's line").isTrue();
                int samples = Integer.parseInt(line.group(2));
                assertThat(samples).as("lag samples drawn").isGreaterThanOrEqualTo(before.get("history").size());
                assertThat(line.group(1).trim().split(" ")).as("one point per sample").hasSize(samples);
                Matcher get = Pattern.compile("id=\"rate-get\"><td>get</td><td class=\"n\">([0-9.]+)</td>").matcher(dom);
                assertThat(get.find()).as("the /get rate row").isTrue();
                assertThat(Double.parseDouble(get.group(1))).as("/get requests per second shown").isPositive();
                assertThat(answered.get()).isPositive();
            } finally {
                stop.set(true);
                reader.join(10_000);
            }
            assertThat(s.writerFailure()).isNull();
        }
    }

    /** The text of the element with {@code id} in the dumped DOM. */
    static String cell(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        return m.find() ? m.group(1) : "(no #" + id + ")";
    }

    /** The page's byte formatting (status.html's bytes()). */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (i == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[i];
    }
}
