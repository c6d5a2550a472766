package io.famfsrocks.it;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.cli.rocks.WorkloadModel;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A serving replica under load: a primary RocksDB in this JVM (the master host) that keeps
 * writing {@link WorkloadModel} batches at a bounded rate and compacting, publishing into a
 * famfs dataset; {@code ./famfs-rocks replica serve} in its own JVM with another system
 * UUID; and wrk on loopback for a bounded time. Used by ReplicaServeIT (short) and
 * ServeLoadBench (longer). Not thread-safe; close stops everything and deletes the device.
 */
public final class ServeLoad implements AutoCloseable {
    static final String MASTER = "aaaaaaaa-7777-0000-0000-000000000001";
    static final String CLIENT = "bbbbbbbb-7777-0000-0000-000000000002";
    static final String DATASET = "served";
    static final byte[] FIXED_KEY = "fixed-key".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FIXED_VALUE = "fixed-value".getBytes(StandardCharsets.US_ASCII);

    final Path dev = Path.of("/dev/shm/famfs-serve-load-" + UUID.randomUUID());
    final Path work;
    final int slots;
    final int writesPerSecond;
    private final MasterVolume master;
    private final Options options;
    private final RocksDB db;
    private final FamfsPublisher publisher;
    private final WorkloadModel model;
    private final Thread writer;
    private volatile boolean stop;
    private volatile Throwable writerFailure;
    private volatile long compactions;
    Process server;
    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record WrkResult(long requests, double seconds, long ok, long notFound, long badStatus, long socketErrors,
                     double p50Us, double p99Us, double maxUs, String raw) {
        public double rps() {
            return requests / seconds;
        }
    }

    public ServeLoad(int slots, int writesPerSecond) throws Exception {
        this.slots = slots;
        this.writesPerSecond = writesPerSecond;
        RocksDB.loadLibrary();
        work = Files.createTempDirectory(Path.of("/dev/shm"), "famfs-serve-load-work-");
        MemoryDevice.createFile(dev, (long) Integer.getInteger("serve.device.gib", 4) << 30); // sparse; soaks want more
        Mkfs.format(dev, Mkfs.Options.defaults().withSystemUuid(MASTER));
        master = Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(MASTER));
        options = new Options().setCreateIfMissing(true).setWriteBufferSize(1 << 20).setTargetFileSizeBase(1 << 20)
                .setMaxBytesForLevelBase(4 << 20).setLevel0FileNumCompactionTrigger(4).setMaxBackgroundJobs(2);
        publisher = FamfsPublisher.attach(options, master, DATASET, PublisherConfig.defaults());
        db = RocksDB.open(options, work.resolve("primary").toString());
        model = new WorkloadModel(slots);
        db.put(FIXED_KEY, FIXED_VALUE);
        try (WriteOptions wo = new WriteOptions(); FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            while (model.counter() < slots) {
                try (WriteBatch b = new WriteBatch()) {
                    model.nextBatch(b, 1000);
                    db.write(wo, b);
                }
            }
            db.flush(fo);
        }
        publisher.start(db);
        publisher.publishNow(60_000);
        writer = new Thread(this::write, "serve-load-primary");
        writer.setDaemon(true);
    }

    /** Bounded-rate writes with a manual compaction every 5 s (on top of automatic ones). */
    private void write() {
        try (WriteOptions wo = new WriteOptions()) {
            long start = System.nanoTime();
            long lastCompact = start;
            while (!stop) {
                long due = (long) ((model.counter() - slots) * 1e9 / writesPerSecond);
                long sleep = due - (System.nanoTime() - start);
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(sleep, 50_000_000L));
                    continue;
                }
                try (WriteBatch b = new WriteBatch()) {
                    model.nextBatch(b, 500);
                    db.write(wo, b);
                }
                if (System.nanoTime() - lastCompact > 5_000_000_000L) {
                    lastCompact = System.nanoTime();
                    db.compactRange();
                    compactions++;
                }
            }
        } catch (Throwable t) {
            writerFailure = t;
        }
    }

    /** Starts {@code replica serve} as another host and waits until /health is 200. */
    public void startServer(int threads) throws Exception {
        ProcessBuilder pb = Launcher.builder(Map.of("FAMFS_SYSTEM_UUID", CLIENT), "replica", "serve", "--dataset",
                DATASET, "--device", dev.toString(), "--port", "0", "--threads", Integer.toString(threads));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("serve.err").toFile()));
        server = pb.start();
        port = Launcher.servePort(server, work.resolve("serve.err"), 60);
        long deadline = System.currentTimeMillis() + 30_000;
        while (get("/health").statusCode() != 200) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("never healthy: " + get("/health").body());
            }
            Thread.sleep(50);
        }
    }

    /** Resident memory of the {@code replica serve} process, from /proc (KiB). */
    public long serverRssKib() throws IOException {
        return serverStatusKib("VmRSS:");
    }

    /**
     * Anonymous resident memory (heap, native allocations) of the server, in KiB: what a
     * leak would grow. The rest of VmRSS is file pages it maps (SSTs read with mmap), which
     * the kernel can drop.
     */
    public long serverAnonKib() throws IOException {
        return serverStatusKib("RssAnon:");
    }

    private long serverStatusKib(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status"))) {
            if (l.startsWith(field)) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The lag {@code /health} reports, in ms (-1 when it cannot be read). */
    public long healthLagMs() {
        try {
            Matcher m = Pattern.compile("\"lag_ms\":(\\d+)").matcher(get("/health").body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** One sample of the loaded server: RSS, anonymous RSS (KiB) and the lag /health reports (ms). */
    public record Sample(long rssKib, long anonKib, long lagMs) {}

    /** Samples the server every {@code everyMs} on a daemon thread until closed. */
    public final class Sampler implements AutoCloseable {
        public final java.util.List<Sample> samples = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        private final Thread thread;

        Sampler(long everyMs) {
            thread = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        samples.add(new Sample(serverRssKib(), serverAnonKib(), healthLagMs()));
                        Thread.sleep(everyMs);
                    }
                } catch (InterruptedException | IOException done) {
                    // stopped
                }
            }, "serve-load-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        public java.util.List<Sample> snapshot() {
            synchronized (samples) {
                return java.util.List.copyOf(samples);
            }
        }

        /** Largest anonymous RSS in samples [from, to) (KiB). */
        public long maxAnonKib(int from, int to) {
            return snapshot().subList(from, to).stream().mapToLong(Sample::anonKib).max().orElse(-1);
        }

        public long maxLagMs() {
            return snapshot().stream().mapToLong(Sample::lagMs).max().orElse(-1);
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    public Sampler sample(long everyMs) {
        return new Sampler(everyMs);
    }

    public void startWriting() {
        writer.start();
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * wrk for {@code seconds} (as {@link #wrk}) while this process checks answers: a sampler
     * thread reads the counter key, a random key, then the counter key again, and compares the
     * answer byte for byte with {@link ModelAnswers} (every few ms, sequentially); and wrk's
     * share of 404 is compared with the model's share of absent keys at the counters read
     * before and after the run.
     */
    public Checked checkedWrk(int threads, int connections, int seconds) throws Exception {
        ModelAnswers oracle = new ModelAnswers(slots);
        long before = counter();
        AnswerSampler sampler = new AnswerSampler(oracle, before);
        Thread t = new Thread(sampler, "serve-load-answers");
        t.setDaemon(true);
        t.start();
        WrkResult w;
        try {
            w = wrk(threads, connections, seconds);
        } finally {
            sampler.stop = true;
            t.join(30_000);
        }
        long after = counter();
        double a = oracle.absentShareAt(before);
        double b = oracle.absentShareAt(after);
        return new Checked(w, before, after, Math.min(a, b), Math.max(a, b), sampler.samples, sampler.samples404,
                sampler.mismatches, sampler.firstMismatch, sampler.lastHigh);
    }

    /**
     * A checked wrk run: the wrk result, the counters the replica served before and after, the
     * model's 404 share at those (low, high), and the sampled answers ({@code samples}, of
     * which {@code samples404} were 404; {@code mismatches} differed from the model).
     */
    public record Checked(WrkResult wrk, long counterBefore, long counterAfter, double modelShareLow, double modelShareHigh,
                          long samples, long samples404, long mismatches, String firstMismatch, long lastSampledCounter) {
        public double share404() {
            return (double) wrk.notFound() / Math.max(1, wrk.ok() + wrk.notFound());
        }

        /** Empty when the answers are right; else one line per problem. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            long answers = wrk.ok() + wrk.notFound();
            if (answers < ModelAnswers.MIN_ANSWERS) {
                p.add("only " + answers + " answers from wrk, fewer than " + ModelAnswers.MIN_ANSWERS + " to judge the 404 share");
            }
            if (share404() < modelShareLow - ModelAnswers.SHARE_TOLERANCE || share404() > modelShareHigh + ModelAnswers.SHARE_TOLERANCE) {
                p.add(String.format(Locale.ROOT, "404 share %.4f (%d of %d) outside the model's %.4f-%.4f +- %.2f", share404(),
                        wrk.notFound(), answers, modelShareLow, modelShareHigh, ModelAnswers.SHARE_TOLERANCE));
            }
            if (samples < 200) {
                p.add("only " + samples + " answers sampled, fewer than 200");
            }
            if (mismatches != 0) {
                p.add(mismatches + " of " + samples + " sampled answers differ from the model; first: " + firstMismatch);
            }
            return p;
        }

        public String describe() {
            return String.format(Locale.ROOT, "404 share %.4f, model %.4f-%.4f (tolerance %.2f); %d answers sampled (%d 404) "
                            + "at counters %d..%d, %d differ from the model", share404(), modelShareLow, modelShareHigh,
                    ModelAnswers.SHARE_TOLERANCE, samples, samples404, counterBefore, lastSampledCounter, mismatches);
        }
    }

    /** The counter the replica's view reflects ({@link WorkloadModel#COUNTER_KEY}); it must be present. */
    long counter() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = getBytes("/get?key=" + new String(WorkloadModel.COUNTER_KEY, StandardCharsets.US_ASCII));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the counter key answered " + r.statusCode());
        }
        return WorkloadModel.decodeCounter(r.body());
    }

    HttpResponse<byte[]> getBytes(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Counter, random key, counter, every 2 ms, until stopped; each answer checked against the model. */
    private final class AnswerSampler implements Runnable {
        private final ModelAnswers oracle;
        volatile boolean stop;
        volatile long samples;
        volatile long samples404;
        volatile long mismatches;
        volatile String firstMismatch;
        volatile long lastHigh;

        AnswerSampler(ModelAnswers oracle, long start) {
            this.oracle = oracle;
            this.lastHigh = start;
        }

        @Override
        public void run() {
            java.util.Random rnd = new java.util.Random(7);
            while (!stop) {
                try {
                    long low = counter();
                    int slot = rnd.nextInt(slots);
                    HttpResponse<byte[]> r = getBytes("/get?key=" + new String(WorkloadModel.key(slot), StandardCharsets.US_ASCII));
                    long high = counter();
                    String m;
                    if (low < lastHigh || high < low) {
                        m = "the counter went back: " + lastHigh + " then " + low + " then " + high;
                    } else if (r.statusCode() != 200 && r.statusCode() != 404) {
                        m = "key-" + slot + " answered status " + r.statusCode();
                    } else {
                        m = oracle.mismatch(slot, r.statusCode() == 404 ? null : r.body(), low, high);
                    }
                    samples++;
                    if (r.statusCode() == 404) {
                        samples404++;
                    }
                    lastHigh = Math.max(lastHigh, high);
                    if (m != null) {
                        fail(m);
                    }
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    samples++;
                    fail(e.toString());
                }
            }
        }

        private void fail(String m) {
            mismatches++;
            if (firstMismatch == null) {
                firstMismatch = m;
            }
        }
    }

    /** wrk on loopback for {@code seconds}: random lookups of the model's keys (about 1 in 11 is deleted: 404). */
    public WrkResult wrk(int threads, int connections, int seconds) throws Exception {
        Path script = work.resolve("lookups.lua");
        Files.writeString(script, LUA.replace("SLOTS", Integer.toString(slots)));
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "5s", "-s", script.toString(), "http://127.0.0.1:" + port));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> out = Launcher.drain(p.getInputStream());
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        String raw = out.get();
        Matcher m = Pattern.compile("RESULT requests=(\\d+) seconds=([\\d.]+) ok=(\\d+) notfound=(\\d+) bad=(\\d+) "
                + "socket=(\\d+) p50=([\\d.]+) p99=([\\d.]+) max=([\\d.]+)").matcher(raw);
        if (!m.find()) {
            throw new IllegalStateException("no result from wrk: " + raw);
        }
        return new WrkResult(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8)), Double.parseDouble(m.group(9)), raw);
    }

    public long writes() {
        return model.counter();
    }

    public long compactions() {
        return compactions;
    }

    public Throwable writerFailure() {
        return writerFailure;
    }

    public PublisherMetrics publisherMetrics() {
        return publisher.metrics();
    }

    /** SIGTERM to the server; its exit code (143 after a clean shutdown). */
    int stopServer() throws InterruptedException {
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return server.exitValue();
    }

    @Override
    public void close() throws Exception {
        stop = true;
        if (server != null && server.isAlive()) {
            stopServer();
        }
        if (writer.isAlive()) {
            writer.join(30_000);
        }
        publisher.close();
        db.close();
        options.close();
        master.close();
        for (String mp : Launcher.mountsOf(dev)) {
            new ProcessBuilder("fusermount", "-u", "-z", mp.split(" ")[1]).start().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(dev);
        Launcher.deleteTree(work);
    }

    private static final String LUA = """
            local threads = {}
            function setup(thread)
              table.insert(threads, thread)
            end
            function init(args)
              ok = 0; notfound = 0; bad = 0
              math.randomseed(os.time() * 1000 + math.random(1000000))
            end
            function request()
              return wrk.format("GET", string.format("/get?key=key-%08d", math.random(0, SLOTS - 1)))
            end
            function response(status, headers, body)
              if status == 200 then ok = ok + 1
              elseif status == 404 then notfound = notfound + 1
              else bad = bad + 1 end
            end
            function done(summary, latency, requests)
              local o, n, b = 0, 0, 0
              for _, t in ipairs(threads) do
                o = o + t:get("ok"); n = n + t:get("notfound"); b = b + t:get("bad")
              end
              local e = summary.errors
              io.write(string.format("RESULT requests=%d seconds=%.3f ok=%d notfound=%d bad=%d socket=%d p50=%.1f p99=%.1f max=%.1f\\n",
                summary.requests, summary.duration / 1e6, o, n, b, e.connect + e.read + e.write + e.timeout,
                latency:percentile(50), latency:percentile(99), latency.max))
            end
            """;
}
