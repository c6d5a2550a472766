package io.famfsrocks.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Owner-named temporary files: a sweep removes what a process killed with SIGKILL left,
 * and never what a live process (this one, or another) owns, nor what a process that
 * merely reuses a dead owner's pid does not own. Real processes, real /proc.
 */
class OwnedTempTest {
    private final String prefix = "famfs-ownedtemp-test-" + UUID.randomUUID().toString().replace("-", "") + "-";
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var ds = Files.newDirectoryStream(OwnedTemp.dir(), prefix + "*")) {
            for (Path p : ds) {
                try (var s = Files.walk(p)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                }
            }
        }
    }

    private Process sleeper() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        started.add(p);
        return p;
    }

    private Path ownedBy(Process p, String rest, boolean dir) throws Exception {
        long start = OwnedTemp.startTicks(p.pid()).orElseThrow();
        Path path = OwnedTemp.dir().resolve(prefix + p.pid() + "-" + start + "-" + rest);
        if (dir) {
            Files.createDirectory(path);
            Files.writeString(path.resolve("inside"), "x");
        } else {
            Files.writeString(path, "log");
        }
        return path;
    }

    @Test
    void aKilledOwnersFilesAreSweptAndLiveOwnersFilesAreNot() throws Exception {
        Process dead = sleeper();
        Process live = sleeper();
        Path deadDir = ownedBy(dead, "a", true);
        Path deadLog = ownedBy(dead, "b.log", false);
        Path liveDir = ownedBy(live, "c", true);
        Path mine = OwnedTemp.createDirectory(prefix);
        Path legacy = Files.createDirectory(OwnedTemp.dir().resolve(prefix + "noowner"));

        assertThat(OwnedTemp.sweep(prefix, false)).as("all owners alive").isZero();
        dead.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL

        assertThat(OwnedTemp.sweep(prefix, false)).isEqualTo(2);
        assertThat(deadDir).doesNotExist();
        assertThat(deadLog).doesNotExist();
        assertThat(liveDir.resolve("inside")).exists();
        assertThat(mine).exists();
        assertThat(legacy).as("no owner in the name: cannot tell, left alone").exists();
    }

    @Test
    void aReusedPidIsNotTakenForTheOwner() throws Exception {
        Process p = sleeper();
        long start = OwnedTemp.startTicks(p.pid()).orElseThrow();
        Path other = OwnedTemp.dir().resolve(prefix + p.pid() + "-" + (start - 1) + "-x.log");
        Files.writeString(other, "a process with this pid that started earlier");
        assertThat(OwnedTemp.alive(p.pid(), start)).isTrue();
        assertThat(OwnedTemp.sweep(prefix, false)).isEqualTo(1);
        assertThat(other).doesNotExist();
    }

    @Test
    void emptyDirsOnlyLeavesADirectoryWithSomethingInIt() throws Exception {
        Process dead = sleeper();
        Path full = ownedBy(dead, "full", true);
        Path empty = OwnedTemp.dir().resolve(prefix + dead.pid() + "-" + OwnedTemp.startTicks(dead.pid()).orElseThrow() + "-empty");
        Files.createDirectory(empty);
        dead.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(OwnedTemp.sweep(prefix, true)).isEqualTo(1);
        assertThat(empty).doesNotExist();
        assertThat(full.resolve("inside")).exists();
    }

    @Test
    void anAdoptedFileIsRenamedToItsNewOwnerAndFoundByItsOldName() throws Exception {
        Process parent = sleeper();
        Path given = ownedBy(parent, "r.log", false);
        Path adopted = OwnedTemp.adopt(given, prefix);
        assertThat(given).doesNotExist();
        assertThat(adopted.getFileName().toString()).startsWith(prefix + ProcessHandle.current().pid() + "-").endsWith("-r.log");
        assertThat(OwnedTemp.findAdopted(given, prefix)).isEqualTo(adopted);
        parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(OwnedTemp.sweep(prefix, false)).as("now owned by this live process").isZero();
        assertThat(adopted).exists();
    }
}
