package io.famfsrocks.it;

import io.famfsrocks.it.harness.PrimaryMain;
import io.famfsrocks.it.harness.ReplicaMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sst-publish --db DIR --follow}, the sidecar, as it is meant to run: the DB is owned
 * by another process (a JVM writing {@code WorkloadModel} batches with flushes and
 * compactions, knowing nothing of famfs), the sidecar is the real launcher, and two replica
 * processes with their own FUSE mounts check their whole view against the model after every
 * version. Then SIGTERM stops the sidecar cleanly.
 */
class SidecarFollowIT {
    static final String MASTER = "aaaaaaaa-5eed-0000-0000-000000000001";
    static final Pattern APPLIED = Pattern.compile("APPLIED version=(\\d+) counter=(\\d+)");
    static final Pattern DONE = Pattern.compile("PRIMARY done counter=(\\d+)");

    Path dir;
    Path dev;
    final List<RocksBridgeIT.Proc> procs = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        FuseAvailable.require();
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "sidecar-it");
        dev = dir.resolve("famfs.img");
        Launcher.Run r = Launcher.run(Map.of("FAMFS_SYSTEM_UUID", MASTER), "mkfs", "--size", "2g", dev.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (RocksBridgeIT.Proc p : procs) {
            p.process.destroyForcibly();
            p.process.waitFor(30, TimeUnit.SECONDS);
        }
        for (String mp : RocksBridgeIT.fuseMountsUnder(dir)) {
            new ProcessBuilder("fusermount", "-u", "-z", "-q", mp.split(" ")[0]).start().waitFor(10, TimeUnit.SECONDS);
        }
        Launcher.deleteTree(dir);
    }

    @Test
    void aDbOwnedByAnotherProcessIsPublishedFlushAfterFlushAndReplicasMatchTheModelThroughout() throws Exception {
        Path db = dir.resolve("owned-db");
        RocksBridgeIT.Proc owner = spawn("owner", UUID.randomUUID().toString(), PrimaryMain.class, "--publish", "false",
                "--db", db.toString(), "--stop-file", dir.resolve("stop").toString(), "--flush-every", "3", "--pause-ms", "10");
        await(owner, "PRIMARY counter=", 60);
        RocksBridgeIT.Proc a = replica("replica-a"); // they wait for the dataset's first version
        RocksBridgeIT.Proc b = replica("replica-b");

        Path sidecarTmp = Files.createDirectories(dir.resolve("sidecar-tmp"));
        Process sidecar = Launcher.builder(Map.of("FAMFS_SYSTEM_UUID", MASTER,
                        "FAMFS_ROCKS_JAVA_OPTS", "-Djava.io.tmpdir=" + sidecarTmp),
                "sst-publish", "--device", dev.toString(), "--dataset", "side", "--db", db.toString(), "--follow").start();
        CompletableFuture<String> sidecarErr = Launcher.drain(sidecar.getErrorStream());
        RocksBridgeIT.Proc sidecarOut = new RocksBridgeIT.Proc("sidecar", sidecar); // its stdout, line by line
        assertThat(await(sidecarOut, "following " + db, 120)).contains("published version");

        for (RocksBridgeIT.Proc r : List.of(a, b)) { // while the owner writes and compacts
            awaitApplied(r, 3, 180_000);
        }
        Files.createFile(dir.resolve("stop")); // the owner flushes what it wrote and exits
        Matcher done = DONE.matcher(await(owner, "PRIMARY done", 120));
        assertThat(done.find()).isTrue();
        long finalCounter = Long.parseLong(done.group(1));
        assertThat(owner.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (RocksBridgeIT.Proc r : List.of(a, b)) {
            awaitCounter(r, finalCounter, 120_000);
            assertThat(r.violations()).as(r.name + " checked every version against the model").isEmpty();
            List<long[]> applied = r.applied();
            for (int i = 1; i < applied.size(); i++) {
                assertThat(applied.get(i)[1]).as(r.name + " never goes back").isGreaterThanOrEqualTo(applied.get(i - 1)[1]);
            }
        }

        sidecar.toHandle().destroy(); // SIGTERM (Process.destroy would also close our ends of its pipes)
        assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).as("the sidecar stops on SIGTERM").isTrue();
        assertThat(sidecar.exitValue()).isEqualTo(143);
        assertThat(sidecarErr.get()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(await(sidecarOut, "stopped following " + db, 10)).contains(": dataset side is at version");
        try (Stream<Path> left = Files.list(sidecarTmp)) {
            assertThat(left).as("the sidecar removed its temporary directory").isEmpty();
        }
        Launcher.Run fsck = Launcher.run(Map.of("FAMFS_SYSTEM_UUID", MASTER), "fsck", dev.toString());
        assertThat(fsck.code()).as(fsck.toString()).isZero();
    }

    private RocksBridgeIT.Proc replica(String name) throws Exception {
        return spawn(name, UUID.randomUUID().toString(), ReplicaMain.class, "--device", dev.toString(), "--dataset", "side",
                "--work", dir.resolve(name + "-work").toString(), "--fuse", dir.resolve(name + "-mnt").toString());
    }

    private RocksBridgeIT.Proc spawn(String name, String uuid, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", uuid);
        RocksBridgeIT.Proc p = new RocksBridgeIT.Proc(name, pb.start());
        procs.add(p);
        return p;
    }

    private static String await(RocksBridgeIT.Proc p, String prefix, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            for (String l : p.lines) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(p.name + " printed no '" + prefix + "' in " + seconds + " s: " + p.lines);
    }

    private static void awaitApplied(RocksBridgeIT.Proc p, int versions, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (p.applied().size() < versions && System.currentTimeMillis() < deadline) {
            assertThat(p.violations()).as(p.name + " output").isEmpty();
            Thread.sleep(50);
        }
        assertThat(p.applied().size()).as(p.name + " applied and checked versions: " + p.lines).isGreaterThanOrEqualTo(versions);
    }

    private static void awaitCounter(RocksBridgeIT.Proc p, long counter, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            List<long[]> a = p.applied();
            if (!a.isEmpty() && a.get(a.size() - 1)[1] >= counter) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(p.name + " did not reach counter " + counter + " in " + timeoutMs + " ms; last lines: "
                + p.lines.subList(Math.max(0, p.lines.size() - 10), p.lines.size()));
    }
}
