package io.famfsrocks.it.bench;

import io.famfsrocks.it.ServeLoad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * What one round trip for many keys buys (run with {@code scripts/bench it-tests BatchGetBench
 * [KEYS] [BATCH] [ROUNDS]}): one client on loopback against {@code replica serve} looks up
 * KEYS random keys (default 20,000) one {@code /get} at a time (the baseline), then in
 * {@code /batch_get} requests of BATCH keys (default 100), then walks 20,000 keys by
 * {@code /scan} pages of 1,000, with and without {@code keys_only}; ROUNDS rounds (default
 * 3), medians printed with the ratio of each to the baseline's keys/s. Every batch's first
 * value is compared with what {@code /get} returns for it, and every page's keys with the
 * keys-only page's; exits 1 on a difference. The primary does not write meanwhile.
 */
public final class BatchGetBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BatchGetBench() {}

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int slots = 200_000;
        System.out.printf(Locale.ROOT, "BatchGetBench %s, %d CPUs, load average %s%n", java.time.Instant.now(),
                Runtime.getRuntime().availableProcessors(), BridgeBench.loadAvg());
        long wrong = 0;
        double[] single = new double[rounds];
        double[] batched = new double[rounds];
        double[] pages = new double[rounds];
        double[] keyPages = new double[rounds];
        try (ServeLoad s = new ServeLoad(slots, 1)) {
            s.startServer(4);
            Random rnd = new Random(17);
            lookups(s, rnd, 2_000, slots); // warm-up: JIT, the SSTs' pages through the mount
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                lookups(s, rnd, keys, slots);
                single[r] = keys / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                for (int b = 0; b < keys / batch; b++) {
                    StringBuilder body = new StringBuilder("{\"keys\":[");
                    for (int i = 0; i < batch; i++) {
                        body.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "\"key-%08d\"", rnd.nextInt(slots)));
                    }
                    JsonNode answer = JSON.readTree(s.post("/batch_get", body.append("]}").toString()).body());
                    JsonNode first = answer.get("kvs").get(0);
                    HttpResponse<String> one = s.get("/get?key=" + first.get("key").asText());
                    String expected = one.statusCode() == 404 ? null : one.body();
                    String got = first.get("value").isNull() ? null : first.get("value").asText();
                    if (!java.util.Objects.equals(expected, got)) {
                        wrong++;
                    }
                }
                long nanos = System.nanoTime() - t0;
                batched[r] = (keys / batch * batch) / (nanos / 1e9);
                t0 = System.nanoTime();
                String[] full = walk(s, false);
                pages[r] = full.length / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                String[] only = walk(s, true);
                keyPages[r] = only.length / ((System.nanoTime() - t0) / 1e9);
                if (!Arrays.equals(full, only)) {
                    wrong++;
                }
            }
        }
        double base = median(single);
        System.out.printf(Locale.ROOT, "one client, loopback, %,d random keys of %,d; %d rounds, medians:%n", keys, slots, rounds);
        System.out.printf(Locale.ROOT, "  /get one key a request      %,10.0f keys/s (baseline) %s%n", base, Arrays.toString(round(single)));
        System.out.printf(Locale.ROOT, "  /batch_get %4d keys        %,10.0f keys/s  %.1fx %s%n", batch, median(batched),
                median(batched) / base, Arrays.toString(round(batched)));
        System.out.printf(Locale.ROOT, "  /scan pages of 1,000        %,10.0f keys/s  %.1fx %s%n", median(pages),
                median(pages) / base, Arrays.toString(round(pages)));
        System.out.printf(Locale.ROOT, "  /scan keys_only, 1,000      %,10.0f keys/s  %.1fx %s%n", median(keyPages),
                median(keyPages) / base, Arrays.toString(round(keyPages)));
        System.out.println("answers that differ between endpoints: " + wrong + "; load average at the end: " + BridgeBench.loadAvg());
        System.exit(wrong == 0 ? 0 : 1);
    }

    private static void lookups(ServeLoad s, Random rnd, int n, int slots) throws Exception {
        for (int i = 0; i < n; i++) {
            s.get(String.format(Locale.ROOT, "/get?key=key-%08d", rnd.nextInt(slots)));
        }
    }

    /** The keys of 20 pages of 1,000 from key-00050000, followed by next. */
    private static String[] walk(ServeLoad s, boolean keysOnly) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        String from = "key-00050000";
        for (int p = 0; p < 20; p++) {
            JsonNode page = JSON.readTree(s.get("/scan?from=" + from + "&limit=1000" + (keysOnly ? "&keys_only=true" : "")).body());
            page.get("kvs").forEach(kv -> out.add(kv.get("key").asText()));
            if (!page.get("more").asBoolean()) {
                break;
            }
            from = page.get("next").asText();
        }
        return out.toArray(new String[0]);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
