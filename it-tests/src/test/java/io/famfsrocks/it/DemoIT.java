package io.famfsrocks.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./famfs-rocks demo} end to end (small: 200,000 keys): the table it prints, and that
 * it leaves nothing behind (device file, work files, FUSE mounts, replica host processes),
 * also when it is stopped with SIGTERM in the middle of loading.
 */
class DemoIT {
    static Set<String> shm() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("famfs-demo")).collect(Collectors.toSet());
        }
    }

    static void assertNothingLeft(Path dev, Set<String> shmBefore) throws Exception {
        assertThat(Files.exists(dev)).as("device deleted").isFalse();
        assertThat(Launcher.mountsOf(dev)).as("no mount left").isEmpty();
        assertThat(shm()).as("no work files left in /dev/shm").isSubsetOf(shmBefore);
        Process p = new ProcessBuilder("pgrep", "-f", "demo-host --device " + dev).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim())
                .as("no replica host process left").isEmpty();
    }

    @Test
    void demoPrintsItsTableAndCleansUp() throws Exception {
        Path dev = Path.of("/dev/shm/famfs-demo-it-" + UUID.randomUUID());
        Set<String> before = shm();
        Launcher.Run r = Launcher.run(Map.of(), "demo", "--keys", "200000", "--bench-ops", "100000",
                "--device", dev.toString());
        System.out.println(r.out());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("keys loaded              200,000", "SSTs shared (live)", "famfs space used",
                "space amplification", "publish lag p50 / p99", "local baseline", "memory saved");
        assertThat(r.out()).containsPattern("replica A +all 200,000 keys match the model; [\\d,]+ lookups/s")
                .containsPattern("replica B +all 200,000 keys match the model; [\\d,]+ lookups/s");
        assertThat(r.err()).contains("starting replica hosts A and B", "loading 200,000 keys", "checking all 200,000 keys");
        assertNothingLeft(dev, before);
    }

    @Test
    void anInterruptedDemoStopsItsHostsUnmountsAndDeletesEverything() throws Exception {
        Path dev = Path.of("/dev/shm/famfs-demo-it-" + UUID.randomUUID());
        Set<String> before = shm();
        Process p = Launcher.builder(Map.of(), "demo", "--keys", "2000000", "--device", dev.toString()).start();
        CompletableFuture<String> out = Launcher.drain(p.getInputStream());
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String seen = null;
        int progress = 0;
        for (String l; (l = err.readLine()) != null; ) {
            // the second progress line: loading for 2 s, flushes and compactions running, both hosts following
            if (l.contains("% ") && l.contains("writes") && ++progress == 2) {
                seen = l;
                assertThat(Launcher.mountsOf(dev)).as("both hosts mounted").hasSize(2);
                p.destroy(); // SIGTERM, as a Ctrl-C would (SIGINT) run the same shutdown hook
                break;
            }
        }
        CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        assertThat(seen).as("stdout: " + out.getNow("")).isNotNull();
        boolean stopped = p.waitFor(60, TimeUnit.SECONDS);
        if (!stopped) {
            p.destroyForcibly();
        }
        assertThat(stopped).as("demo stops within 60 s of SIGTERM").isTrue();
        rest.get(10, TimeUnit.SECONDS);
        assertNothingLeft(dev, before);
    }
}
