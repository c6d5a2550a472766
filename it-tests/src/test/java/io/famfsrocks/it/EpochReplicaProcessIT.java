package io.famfsrocks.it;

import io.famfsrocks.cli.OwnedTemp;
import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.device.MemoryDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 with real processes: {@code replica serve} processes over a pool of two small
 * devices (each its own host identity, each epoch mounted by its own FUSE server process)
 * while the primary (this JVM, the publisher's own rotation) writes and rotates. Every
 * lookup a client makes is checked against the workload model ({@link ModelAnswers}):
 * <ul>
 *   <li>five rotations under load: no wrong answer, publishing never stops (every replica
 *       reaches the last counter), the pool's use never above its capacity, and the old
 *       epoch's mounts are gone once it drained;</li>
 *   <li>a replica stopped with SIGSTOP across a rotation holds it for its lease; its epoch's
 *       device is then reformatted and rewritten by the next rotation, and after SIGCONT it
 *       answers nothing from that memory (503s, then right answers from the active epoch);</li>
 *   <li>a replica killed while it opens the next epoch holds the old one for one lease; a
 *       restarted replica opens the active epoch, and nothing of the killed one stays mounted.</li>
 * </ul>
 */
class EpochReplicaProcessIT {
    private static final int SLOTS = 2000;
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+)");
    private Path dir;
    private List<Path> devices;
    private final String master = UUID.randomUUID().toString();
    private final List<Replica> replicas = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One {@code replica serve} process and the client checking its answers. */
    final class Replica {
        final String name;
        final String uuid = UUID.randomUUID().toString();
        final Path err;
        Process process;
        int port;
        final List<String> wrong = new CopyOnWriteArrayList<>();
        final AtomicLong answers = new AtomicLong();
        final AtomicLong busy = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong maxCounter = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread client;

        Replica(String name) {
            this.name = name;
            this.err = dir.resolve(name + ".err");
        }

        Replica start() throws Exception {
            List<String> args = new ArrayList<>(List.of("replica", "serve", "--dataset", PoolPrimary.DATASET));
            for (Path d : devices) {
                args.addAll(List.of("--device", d.toString()));
            }
            args.addAll(List.of("--port", "0", "--threads", "2"));
            process = Launcher.builder(Map.of("FAMFS_SYSTEM_UUID", uuid), args.toArray(String[]::new))
                    .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile())).start();
            port = Launcher.servePort(process, err, 120);
            return this;
        }

        /** Starts (or restarts, after {@link #start} again) the checking client. */
        void check() {
            stop.set(false);
            client = new Thread(this::run, "client-" + name);
            client.setDaemon(true);
            client.start();
        }

        void stopChecking() throws InterruptedException {
            stop.set(true);
            if (client != null) {
                client.join(30_000);
            }
        }

        private void run() {
            ModelAnswers model = new ModelAnswers(SLOTS);
            SplittableRandom rnd = new SplittableRandom(name.hashCode());
            long low = 0;
            while (!stop.get()) {
                try {
                    HttpResponse<byte[]> c0 = get("/get?key=" + new String(WorkloadModel.COUNTER_KEY, StandardCharsets.US_ASCII));
                    if (c0.statusCode() != 200) {
                        busy.incrementAndGet();
                        sleep(5);
                        continue;
                    }
                    low = Math.max(low, WorkloadModel.decodeCounter(c0.body()));
                    int slot = rnd.nextInt(SLOTS);
                    HttpResponse<byte[]> r = get("/get?key=" + new String(WorkloadModel.key(slot), StandardCharsets.US_ASCII));
                    if (r.statusCode() == 503) {
                        busy.incrementAndGet();
                        sleep(5);
                        continue;
                    }
                    HttpResponse<byte[]> c1 = get("/get?key=" + new String(WorkloadModel.COUNTER_KEY, StandardCharsets.US_ASCII));
                    if (c1.statusCode() != 200) {
                        busy.incrementAndGet();
                        continue;
                    }
                    long high = WorkloadModel.decodeCounter(c1.body());
                    maxCounter.accumulateAndGet(high, Math::max);
                    if (r.statusCode() != 200 && r.statusCode() != 404) {
                        wrong.add("status " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                        continue;
                    }
                    String bad = model.mismatch(slot, r.statusCode() == 404 ? null : r.body(), low, high);
                    answers.incrementAndGet();
                    if (bad != null) {
                        wrong.add(bad);
                    }
                } catch (IOException e) {
                    failures.incrementAndGet(); // a stopped or killed process: no answer, not a wrong one
                    sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        /** The epoch /health reports, or -1 when it does not answer. */
        long epoch() {
            try {
                Matcher m = EPOCH.matcher(new String(get("/health").body(), StandardCharsets.UTF_8));
                return m.find() ? Long.parseLong(m.group(1)) : -1;
            } catch (IOException | InterruptedException e) {
                return -1;
            }
        }

        void awaitEpochAndCounter(long epoch, long counter, Duration max) throws Exception {
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                if (epoch() == epoch && maxCounter.get() >= counter) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError(name + " did not reach epoch " + epoch + " and counter " + counter + " within "
                    + max + " (epoch " + epoch() + ", counter " + maxCounter.get() + "); stderr:\n" + tail(err));
        }

        /** Waits until at least {@code n} answers were checked since the client started. */
        void awaitAnswers(long n, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            while (answers.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }

        /** A counter or gauge of this replica's /metrics. */
        long metric(String name) throws Exception {
            for (String l : new String(get("/metrics").body(), StandardCharsets.UTF_8).split("\n")) {
                if (l.startsWith(name + " ")) {
                    return (long) Double.parseDouble(l.substring(name.length() + 1).trim()); // "1" or "1.0"
                }
            }
            throw new AssertionError(name + " not in /metrics of " + this.name);
        }

        void signal(String sig) throws Exception {
            new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        FuseAvailable.require();
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "epoch-replica-process-it");
        devices = List.of(dir.resolve("pool-a"), dir.resolve("pool-b"));
        for (Path d : devices) {
            MemoryDevice.createFile(d, 128L << 20);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Replica r : replicas) {
            r.stop.set(true);
            if (r.process != null) {
                r.signal("CONT");
                r.process.destroy();
                if (!r.process.waitFor(30, TimeUnit.SECONDS)) {
                    r.process.destroyForcibly();
                }
            }
        }
        for (Path d : devices) {
            for (String m : Launcher.mountsOf(d)) {
                new ProcessBuilder("fusermount", "-u", "-z", "-q", m.split(" ")[1]).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Launcher.deleteTree(dir);
        for (String prefix : ServeProcessModelIT.TEMP_PREFIXES) {
            OwnedTemp.sweep(prefix, prefix.endsWith("-mnt-"));
        }
    }

    private Replica replica(String name) throws Exception {
        Replica r = new Replica(name).start();
        replicas.add(r);
        return r;
    }

    @Test
    void twoReplicaProcessesFollowFiveRotationsUnderLoadWithoutAWrongAnswer() throws Exception {
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, LEASE,
                Duration.ofSeconds(60))) {
            primary.write(4, 200);
            Replica a = replica("a");
            Replica b = replica("b");
            a.check();
            b.check();
            for (int r = 1; r <= 5; r++) {
                primary.write(4, 200);
                Path sealedDevice = Path.of(primary.pool().activeDevice());
                long sealed = primary.rotate(Duration.ofSeconds(60));
                primary.write(2, 200); // publishing goes on while the replicas switch
                primary.awaitDrained(Duration.ofSeconds(60));
                assertThat(Launcher.mountsOf(sealedDevice)).as("rotation " + r + ": epoch " + sealed
                        + " is unmounted everywhere once drained").isEmpty();
                assertThat(primary.pool().usedPeakBytes()).isLessThanOrEqualTo(primary.pool().capacity());
            }
            long last = primary.model.counter();
            a.awaitEpochAndCounter(primary.epoch(), last, Duration.ofSeconds(60));
            b.awaitEpochAndCounter(primary.epoch(), last, Duration.ofSeconds(60));
            a.stopChecking();
            b.stopChecking();
            for (Replica x : List.of(a, b)) {
                assertThat(x.wrong).as(x.name + " wrong answers").isEmpty();
                assertThat(x.answers.get()).as(x.name + " answers checked").isGreaterThan(100);
            }
            assertThat(primary.pool().rotations()).isEqualTo(5);
        }
    }

    @Test
    void aReplicaStoppedAcrossARotationHoldsItsLeaseAndNeverAnswersFromTheReusedDevice() throws Exception {
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, LEASE,
                Duration.ofSeconds(60))) {
            primary.write(4, 200);
            Replica a = replica("a");
            Replica b = replica("b");
            a.check();
            b.check();
            a.awaitEpochAndCounter(1, primary.model.counter(), Duration.ofSeconds(60));
            a.signal("STOP");
            primary.write(2, 200);
            primary.rotate(Duration.ofSeconds(60));
            long drainMs = primary.awaitDrained(Duration.ofSeconds(60));
            assertThat(drainMs).as("the drain waited for the stopped replica's lease").isGreaterThanOrEqualTo(
                    LEASE.toMillis() - 100);
            // The next rotation reformats the device the stopped replica still reads and writes new SSTs there.
            primary.write(4, 200);
            primary.rotate(Duration.ofSeconds(60));
            primary.write(4, 200);
            primary.awaitDrained(Duration.ofSeconds(60));
            assertThat(primary.epoch()).isEqualTo(3);
            long answersBefore = a.answers.get();
            a.signal("CONT");
            a.awaitEpochAndCounter(3, primary.model.counter(), Duration.ofSeconds(90));
            b.awaitEpochAndCounter(3, primary.model.counter(), Duration.ofSeconds(60));
            a.awaitAnswers(answersBefore + 50, Duration.ofSeconds(60));
            // It never served epoch 2: it found epoch 1's device reused and went to the active epoch.
            assertThat(a.metric("famfs_replica_epoch_rotations_total")).isEqualTo(1);
            a.stopChecking();
            b.stopChecking();
            assertThat(a.wrong).as("answers of the replica stopped across the reuse").isEmpty();
            assertThat(b.wrong).isEmpty();
            assertThat(a.answers.get()).isGreaterThan(answersBefore + 10);
        }
    }

    @Test
    void aReplicaKilledWhileOpeningTheNextEpochHoldsItForALeaseAndARestartedOneOpensTheActiveEpoch() throws Exception {
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, LEASE,
                Duration.ofSeconds(60))) {
            primary.write(4, 200);
            Replica a = replica("a");
            a.check();
            a.awaitEpochAndCounter(1, primary.model.counter(), Duration.ofSeconds(60));
            Path sealedDevice = Path.of(primary.pool().activeDevice());
            long before = Files.readString(a.err).split("sealed, opening", -1).length;
            primary.rotate(Duration.ofSeconds(60));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.readString(a.err).split("sealed, opening", -1).length == before) {
                assertThat(System.nanoTime()).as("replica a starts opening epoch 2").isLessThan(deadline);
                Thread.sleep(5);
            }
            a.signal("KILL"); // mid-switch: epoch 2 being opened, epoch 1 still served
            a.process.waitFor(30, TimeUnit.SECONDS);
            a.stopChecking();
            long drainMs = primary.awaitDrained(Duration.ofSeconds(60));
            assertThat(drainMs).as("the killed replica held epoch 1 for its lease").isGreaterThanOrEqualTo(
                    LEASE.toMillis() - 100);
            long deadlineMounts = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Launcher.mountsOf(sealedDevice).isEmpty() && System.nanoTime() < deadlineMounts) {
                Thread.sleep(50); // the mount servers exit with their parent
            }
            assertThat(Launcher.mountsOf(sealedDevice)).as("the killed replica's mounts").isEmpty();
            Replica again = replica("a2");
            again.check();
            primary.write(4, 200);
            again.awaitEpochAndCounter(2, primary.model.counter(), Duration.ofSeconds(60));
            again.awaitAnswers(50, Duration.ofSeconds(60));
            again.stopChecking();
            assertThat(a.wrong).isEmpty();
            assertThat(again.wrong).isEmpty();
            assertThat(again.answers.get()).isGreaterThan(10);
        }
    }

    @Test
    void theReplicaVerbsOpenThePoolsActiveEpochAndSayWhichItIs() throws Exception {
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), SLOTS, LEASE,
                Duration.ofSeconds(60))) {
            primary.write(4, 200);
            primary.rotate(Duration.ofSeconds(60));
            primary.write(2, 200);
            primary.awaitDrained(Duration.ofSeconds(60));
            Map<String, String> env = Map.of("FAMFS_SYSTEM_UUID", UUID.randomUUID().toString());
            String a = devices.get(0).toString();
            String b = devices.get(1).toString();
            Launcher.Run stat = Launcher.run(env, "replica", "stat", "--dataset", PoolPrimary.DATASET, "-D", b, "-D", a);
            assertThat(stat.code()).as(stat.toString()).isZero();
            assertThat(stat.out()).contains("epoch:          2 (ack slot ");
            Launcher.Run json = Launcher.run(env, "replica", "stat", "--dataset", PoolPrimary.DATASET, "-D", a, "-D", b,
                    "--json", "--replica-slot", "7");
            assertThat(json.out()).as(json.toString()).containsPattern("\"epoch\":\\s*2\\b");
            int slot = 1;
            byte[] want = primary.model.expected(slot);
            while (want == null) {
                want = primary.model.expected(++slot);
            }
            Launcher.Run get = Launcher.run(env, "replica", "get", "--dataset", PoolPrimary.DATASET, "-D", a, "-D", b,
                    new String(WorkloadModel.key(slot), StandardCharsets.US_ASCII));
            assertThat(get.code()).as(get.toString()).isZero();
            assertThat(get.out().trim()).isEqualTo(new String(want, StandardCharsets.US_ASCII));
            Launcher.Run mount = Launcher.run(env, "replica", "get", "--dataset", PoolPrimary.DATASET, "-D", a, "-D", b,
                    "--mount", dir.toString(), "k");
            assertThat(mount.code()).as(mount.toString()).isEqualTo(2);
            assertThat(mount.err()).contains("drop --mount").doesNotContain("Exception");
            assertThat(Launcher.mountsOf(devices.get(0))).isEmpty(); // the one-shot verbs unmount what they mounted
            assertThat(Launcher.mountsOf(devices.get(1))).isEmpty();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path p) {
        try {
            List<String> l = Files.readAllLines(p);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return "(no " + p + ")";
        }
    }
}
