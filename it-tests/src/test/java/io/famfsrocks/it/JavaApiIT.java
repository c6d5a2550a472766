package io.famfsrocks.it;

import io.famfsrocks.examples.PrimaryExample;
import io.famfsrocks.examples.ReplicaExample;
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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/java-api.md's examples are the sources of {@code io.famfsrocks.examples} word for word
 * (so they compile), and they run as a user would run them: each a JVM of its own, the
 * primary as the device's master, the replica as another host, which opens the dataset,
 * follows the primary's next run and prints the value it published.
 */
class JavaApiIT {
    static final String MASTER = "aaaaaaaa-1717-0000-0000-000000000001";
    static final String CLIENT = "bbbbbbbb-1717-0000-0000-000000000002";
    static final Path DOC = Launcher.ROOT.resolve("docs/java-api.md");
    static final java.util.regex.Pattern EXAMPLE = java.util.regex.Pattern.compile(
            "<!-- example: (\\S+) -->\\n```java\\n(.*?)```\\n", java.util.regex.Pattern.DOTALL);

    Path dev;
    Path tmp;
    final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dev = Path.of("/dev/shm/famfs-javaapi-it-" + UUID.randomUUID());
        tmp = Files.createTempDirectory("javaapi-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(Launcher.mountsOf(dev)).as("no mount left behind").isEmpty();
        Files.deleteIfExists(dev);
        Launcher.deleteTree(tmp);
    }

    @Test
    void theDocShowsEachExampleSourceVerbatim() throws Exception {
        String doc = Files.readString(DOC);
        Matcher m = EXAMPLE.matcher(doc);
        List<String> shown = new ArrayList<>();
        while (m.find()) {
            Path src = Launcher.ROOT.resolve(m.group(1));
            assertThat(m.group(2)).as("the block under " + m.group(1) + " in " + DOC).isEqualTo(Files.readString(src));
            shown.add(src.getFileName().toString());
        }
        assertThat(shown).containsExactlyInAnyOrder("PrimaryExample.java", "ReplicaExample.java");
    }

    @Test
    void thePrimaryAndReplicaExamplesRunAsSeparateHosts() throws Exception {
        FuseAvailable.require();
        Launcher.Run mkfs = Launcher.run(Map.of("FAMFS_SYSTEM_UUID", MASTER), "mkfs", "--size", "256m", dev.toString());
        assertThat(mkfs.code()).as(mkfs.toString()).isZero();
        Path db = tmp.resolve("db");
        Path replicaTmp = Files.createDirectories(tmp.resolve("replica-tmp"));

        String first = run(MASTER, PrimaryExample.class, null, dev.toString(), db.toString(), "0", "1000");
        Matcher published = java.util.regex.Pattern.compile("published version (\\d+) of dataset orders").matcher(first);
        assertThat(published.find()).as(first).isTrue();

        String found = run(CLIENT, ReplicaExample.class, replicaTmp, dev.toString(), "order-42");
        assertThat(found).contains("order-42 = shipped 42 (version " + published.group(1) + ",");

        Process waiting = spawn(CLIENT, ReplicaExample.class, replicaTmp, dev.toString(), "order-1500");
        CompletableFuture<String> waitingOut = Launcher.drain(waiting.getInputStream());
        Thread.sleep(2_000); // let it open at version 1 and start waiting (it would also pass opening later)
        String second = run(MASTER, PrimaryExample.class, null, dev.toString(), db.toString(), "1000", "2000");
        assertThat(second).contains("published version").contains("of dataset orders");
        assertThat(waiting.waitFor(120, TimeUnit.SECONDS)).as("the replica saw the new version").isTrue();
        assertThat(waiting.exitValue()).as(waitingOut.get()).isZero();
        assertThat(waitingOut.get()).contains("order-1500 = shipped 1500 (version ");
        try (Stream<Path> left = Files.list(replicaTmp)) {
            assertThat(left).as("the replica removed its temporary files").isEmpty();
        }
    }

    private Process spawn(String uuid, Class<?> main, Path tmpDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        if (tmpDir != null) {
            cmd.add("-Djava.io.tmpdir=" + tmpDir);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FAMFS_SYSTEM_UUID", uuid);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String run(String uuid, Class<?> main, Path tmpDir, String... args) throws Exception {
        Process p = spawn(uuid, main, tmpDir, args);
        CompletableFuture<String> out = Launcher.drain(p.getInputStream());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(main.getSimpleName() + " finished").isTrue();
        String o = out.get();
        assertThat(p.exitValue()).as(main.getSimpleName() + ": " + o).isZero();
        return o;
    }
}
