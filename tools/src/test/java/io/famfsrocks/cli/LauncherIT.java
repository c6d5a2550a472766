package io.famfsrocks.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real {@code ./famfs-rocks} launcher (and so the shaded jar {@code mvn package}
 * built) in a subprocess: at least one case per verb, checking exit code and message.
 * The master's identity comes from {@code FAMFS_SYSTEM_UUID}, the client's from
 * {@code --system-uuid}, so both ways of naming a host are exercised.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherIT {
    private static final String MASTER = "aaaaaaaa-0000-0000-0000-000000000001";
    private static final String CLIENT = "bbbbbbbb-0000-0000-0000-000000000002";
    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("famfs-rocks");
    private static final Path DEV = Path.of("/dev/shm/famfs-launcher-it-" + UUID.randomUUID());
    private static Path src;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void source() throws IOException {
        src = Files.createTempFile("famfs-launcher-it", ".bin");
        Files.write(src, new byte[3 << 20]);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(DEV);
        Files.deleteIfExists(src);
    }

    static Run famfs(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("FAMFS_DEVICE");
        pb.environment().put("FAMFS_SYSTEM_UUID", MASTER);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    static Run famfs(String... args) throws Exception {
        return famfs(Map.of(), args);
    }

    private static String dev() {
        return DEV.toString();
    }

    @Test
    @Order(1)
    void missingJarSaysHowToBuildIt() throws Exception {
        Run r = famfs(Map.of("FAMFS_ROCKS_JAR", "/nonexistent/famfs-rocks.jar"), "--version");
        assertThat(r.code()).isEqualTo(127);
        assertThat(r.err()).contains("mvn -q package -DskipTests");
    }

    @Test
    @Order(2)
    void versionAndUsageError() throws Exception {
        assertThat(famfs("--version").out()).contains("famfs-rocks 0.1.0");
        Run r = famfs("ls", "--frob");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).startsWith("famfs-rocks: Unknown option: '--frob'");
    }

    @Test
    @Order(3)
    void mkfsCreatesThenRefusesWithoutForce() throws Exception {
        Run r = famfs("mkfs", "--size", "1g", dev());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("famfs file system created on " + DEV, MASTER);
        r = famfs("mkfs", dev());
        assertThat(r.code()).isEqualTo(ExitCode.EXISTS.code());
        assertThat(r.err()).isEqualTo("famfs-rocks: device " + DEV
                + " already has a famfs file system; use -f to overwrite it\n");
    }

    @Test
    @Order(4)
    void mkdirWithTheDeviceFromTheEnvironment() throws Exception {
        Run r = famfs(Map.of("FAMFS_DEVICE", dev()), "mkdir", "-p", "a/b");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    @Order(5)
    void creatByAClientIsNotMaster() throws Exception {
        Run r = famfs("creat", "--system-uuid", CLIENT, "-s", "1m", "--device", dev(), "a/x");
        assertThat(r.code()).isEqualTo(ExitCode.NOT_MASTER.code());
        assertThat(r.err()).startsWith("famfs-rocks: this host (" + CLIENT + ") is a client of").doesNotContain("\tat ");
    }

    @Test
    @Order(6)
    void creatRandomThenVerify() throws Exception {
        assertThat(famfs("creat", "-s", "8m", "-r", "-S", "77", "--device", dev(), "a/b/r").code()).isZero();
        Run ok = famfs("verify", "--system-uuid", CLIENT, "-S", "77", "--device", dev(), "a/b/r");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("Success: verified 8388608 bytes in file /a/b/r");
        Run bad = famfs("verify", "-S", "78", "--device", dev(), "a/b/r");
        assertThat(bad.code()).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(bad.err()).contains("verify failed: /a/b/r differs at offset 0");
    }

    @Test
    @Order(7)
    void cpThenListStatGetmap() throws Exception {
        Run cp = famfs("cp", "--device", dev(), src.toString(), "/a/copy");
        assertThat(cp.code()).as(cp.err()).isZero();
        Run ls = famfs("ls", "--json", "--device", dev(), "a");
        assertThat(ls.code()).isZero();
        assertThat(ls.out()).contains("\"path\": \"/a/copy\"", "\"size\": 3145728");
        Run stat = famfs("stat", "--device", dev(), "a/nope");
        assertThat(stat.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(stat.err()).isEqualTo("famfs-rocks: no such file or directory: /a/nope\n");
        assertThat(famfs("getmap", "--device", dev(), "a/copy").out()).contains("famfs getmap: good file /a/copy");
    }

    @Test
    @Order(8)
    void dfFsckLogplay() throws Exception {
        Run df = famfs("df", "--json", dev());
        assertThat(df.code()).isZero();
        assertThat(df.out()).contains("\"files\": 2", "\"directories\": 2", "\"log_slots_left\": 15416");
        Run fsck = famfs("fsck", "--system-uuid", CLIENT, dev());
        assertThat(fsck.code()).isZero();
        assertThat(fsck.out()).contains("role of this node: Client", "is clean");
        Run lp = famfs("logplay", "-n", dev());
        assertThat(lp.code()).isZero();
        assertThat(lp.out()).contains("processed 4 log entries; 2 files; 2 directories");
    }

    @Test
    @Order(9)
    void mountUmountAndCompletion() throws Exception {
        Run mount = famfs("mount", "/dev/shm/no-such-famfs-device", "/tmp");
        assertThat(mount.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(mount.err()).contains("does not exist");
        FuseAvailable.require(); // the rest mounts for real
        Path mp = Files.createTempDirectory("famfs-launcher-mp").toRealPath();
        try {
            Run m = famfs("mount", dev(), mp.toString());
            assertThat(m.code()).as(m.err()).isZero();
            assertThat(m.out()).isEqualTo("mounted " + DEV + " on " + mp + "\n");
            // the verbs find the device through the kernel mount table; the bytes read back through FUSE
            Run ls = famfs("ls", mp.resolve("a").toString());
            assertThat(ls.code()).as(ls.err()).isZero();
            assertThat(ls.out()).isEqualTo("b/\ncopy\n");
            assertThat(Files.readAllBytes(mp.resolve("a/copy"))).isEqualTo(Files.readAllBytes(src));
            Run busy = famfs("mkfs", "-f", dev());
            assertThat(busy.code()).isEqualTo(ExitCode.BUSY.code());
            Run um = famfs("umount", mp.toString());
            assertThat(um.code()).as(um.err()).isZero();
            assertThat(um.out()).isEqualTo("unmounted " + mp + "\n");
        } finally {
            new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).start().waitFor(); // in case a step failed
            Files.delete(mp);
        }
        Run umount = famfs("umount", "/tmp");
        assertThat(umount.code()).isEqualTo(ExitCode.NOT_FAMFS.code());
        assertThat(umount.err()).isEqualTo("famfs-rocks: /tmp is not a famfs mount point\n");
        Run c = famfs("completion");
        assertThat(c.code()).isZero();
        assertThat(c.out()).contains("complete -F");
    }

    @Test
    @Order(10)
    void bashCompletionScriptLoads() throws Exception {
        Path script = Files.createTempFile("famfs-completion", ".bash");
        try {
            Files.writeString(script, famfs("completion").out());
            Process p = new ProcessBuilder("bash", "-c", "source " + script + " && complete -p famfs-rocks")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("famfs-rocks");
        } finally {
            Files.delete(script);
        }
    }

}
