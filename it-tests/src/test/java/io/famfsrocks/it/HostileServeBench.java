package io.famfsrocks.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 13, item 1, measured ({@code scripts/bench it-tests HostileServeBench [SECONDS] [LORIS] [CONNECTIONS]}):
 * {@code replica serve --threads 4} on loopback, attacked two ways.
 * <ol>
 *   <li>{@code LORIS} (default 1,000) slow-loris connections, each sending one header byte
 *       every 2 s (inside the idle timeout, so they stay open), while wrk runs 64 connections
 *       of {@code /get} and a prober asks {@code /health} every 100 ms on a fresh connection:
 *       prints the probe's p50/p99/max latency and how many probes failed or took over 100 ms.</li>
 *   <li>wrk with {@code CONNECTIONS} (default 2,000) concurrent connections: requests/s,
 *       latency, non-2xx/404 answers and socket errors (connect errors are refusals, the
 *       rest are failures of accepted requests).</li>
 * </ol>
 * The server's RSS is sampled every 500 ms throughout; the peak is printed.
 */
public final class HostileServeBench {
    static final Map<String, String> AS_MASTER = Map.of("FAMFS_SYSTEM_UUID", "aaaaaaaa-1315-0000-0000-000000000001");
    static final Map<String, String> AS_CLIENT = Map.of("FAMFS_SYSTEM_UUID", "bbbbbbbb-1315-0000-0000-000000000002");

    private HostileServeBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int lorisCount = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dev = Path.of("/dev/shm/famfs-hostile-bench-" + UUID.randomUUID());
        Path tmp = Files.createTempDirectory("hostile-bench");
        Process server = null;
        try {
            check(Launcher.run(AS_MASTER, "mkfs", "--size", "512m", dev.toString()));
            TestDbs.write(tmp.resolve("db"), 0, 100_000, 1, 25_000, 200);
            check(Launcher.run(AS_MASTER, "sst-publish", "--device", dev.toString(), "--dataset", "db1", "--db",
                    tmp.resolve("db").toString()));
            server = Launcher.builder(AS_CLIENT, "replica", "serve", "--dataset", "db1", "--device", dev.toString(),
                    "--port", "0", "--threads", "4").redirectError(tmp.resolve("serve.err").toFile()).start();
            int port = Launcher.servePort(server, tmp.resolve("serve.err"), 120);
            long pid = server.pid();
            AtomicLong peakRss = new AtomicLong();
            AtomicLong peakAnon = new AtomicLong();
            Thread rss = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakRss.accumulateAndGet(rssKib(pid), Math::max);
                    peakAnon.accumulateAndGet(anonKib(pid), Math::max);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            rss.setDaemon(true);
            rss.start();
            wrk(port, 16, 3); // warm-up
            long rssBefore = rssKib(pid);
            long anonBefore = anonKib(pid);

            // 1. slow loris + wrk + /health probe
            List<Socket> loris = new ArrayList<>();
            for (int i = 0; i < lorisCount; i++) {
                Socket so = new Socket(InetAddress.getLoopbackAddress(), port);
                so.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                loris.add(so);
            }
            AtomicLong lorisDropped = new AtomicLong();
            Thread drip = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (Socket so : loris) {
                        try {
                            OutputStream o = so.getOutputStream();
                            o.write('X');
                            o.flush();
                        } catch (IOException e) {
                            if (!so.isClosed()) {
                                lorisDropped.incrementAndGet();
                                try {
                                    so.close();
                                } catch (IOException ignored) {
                                    // closed
                                }
                            }
                        }
                    }
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            drip.setDaemon(true);
            drip.start();
            List<Long> probes = new ArrayList<>();
            AtomicLong probeFailures = new AtomicLong();
            Thread prober = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long t0 = System.nanoTime();
                    try (Socket so = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        so.setSoTimeout(5000);
                        so.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        String r = new String(so.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                        if (!r.startsWith("HTTP/1.1 200") && !r.startsWith("HTTP/1.1 503")) {
                            probeFailures.incrementAndGet();
                        }
                        synchronized (probes) {
                            probes.add((System.nanoTime() - t0) / 1000);
                        }
                    } catch (IOException e) {
                        probeFailures.incrementAndGet();
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            prober.setDaemon(true);
            prober.start();
            Wrk w1 = wrk(port, 64, seconds);
            prober.interrupt();
            prober.join();
            drip.interrupt();
            long lorisOpen = loris.stream().filter(s -> !s.isClosed()).count();
            for (Socket so : loris) {
                so.close();
            }
            long[] p;
            synchronized (probes) {
                p = probes.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            long over100 = Arrays.stream(p).filter(us -> us > 100_000).count();
            System.out.printf(Locale.ROOT, "%s; loadavg %s; replica serve --threads 4, Jetty, loopback%n",
                    java.time.Instant.now(), Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.printf(Locale.ROOT, "1. %d slow-loris connections (1 byte / 2 s; %d still open at the end, %d dropped) "
                            + "+ wrk -c64 -d%ds /get: %.0f requests/s, p99 %.1f ms, non-2xx/404 %d, socket errors %s; "
                            + "/health probes: %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms, over 100 ms %d, failed %d%n",
                    lorisCount, lorisOpen, lorisDropped.get(), seconds, w1.rps, w1.p99Ms, w1.non2xx, w1.socketErrors,
                    p.length, pct(p, 50) / 1000.0, pct(p, 99) / 1000.0, p.length == 0 ? 0 : p[p.length - 1] / 1000.0,
                    over100, probeFailures.get());
            // 2. many concurrent connections
            Wrk w2 = wrk(port, connections, seconds);
            System.out.printf(Locale.ROOT, "2. wrk -c%d -d%ds /get: %d requests, %.0f requests/s, p50 %.1f ms, p99 %.1f ms, "
                            + "non-2xx/404 %d, socket errors %s%n",
                    connections, seconds, w2.requests, w2.rps, w2.p50Ms, w2.p99Ms, w2.non2xx, w2.socketErrors);
            rss.interrupt();
            System.out.printf(Locale.ROOT, "RSS of replica serve: %d MiB after warm-up, peak %d MiB, %d MiB at the end; "
                            + "anonymous (heap, native; RSS less mapped SST pages): %d MiB after warm-up, peak %d MiB%n",
                    rssBefore >> 10, peakRss.get() >> 10, rssKib(pid) >> 10, anonBefore >> 10, peakAnon.get() >> 10);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(dev);
            Launcher.deleteTree(tmp);
        }
    }

    record Wrk(long requests, double rps, double p50Ms, double p99Ms, long non2xx, String socketErrors) {}

    static Wrk wrk(int port, int connections, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", "--timeout", "5s",
                "http://127.0.0.1:" + port + "/get?key=k00012345").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        long requests = find(out, "(\\d+) requests in", 0);
        double rps = Double.parseDouble(findS(out, "Requests/sec:\\s+([\\d.]+)", "0"));
        long non2xx = find(out, "Non-2xx or 3xx responses: (\\d+)", 0);
        String sock = findS(out, "Socket errors: ([^\\n]+)", "none");
        return new Wrk(requests, rps, ms(findS(out, "\\s50%\\s+([\\d.]+\\w+)", "0us")),
                ms(findS(out, "\\s99%\\s+([\\d.]+\\w+)", "0us")), non2xx, sock);
    }

    static double ms(String v) {
        double n = Double.parseDouble(v.replaceAll("[a-z]+$", ""));
        return v.endsWith("us") ? n / 1000 : v.endsWith("ms") ? n : v.endsWith("s") ? n * 1000 : n;
    }

    static long find(String s, String re, long dflt) {
        Matcher m = Pattern.compile(re).matcher(s);
        return m.find() ? Long.parseLong(m.group(1)) : dflt;
    }

    static String findS(String s, String re, String dflt) {
        Matcher m = Pattern.compile(re).matcher(s);
        return m.find() ? m.group(1).trim() : dflt;
    }

    static long pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }

    static long rssKib(long pid) {
        return statusKib(pid, "VmRSS:");
    }

    /** Anonymous memory (heap, native): RSS less the SST pages mapped through the mount. */
    static long anonKib(long pid) {
        return statusKib(pid, "RssAnon:");
    }

    static long statusKib(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    static void check(Launcher.Run r) {
        if (r.code() != 0) {
            throw new IllegalStateException(r.toString());
        }
    }
}
