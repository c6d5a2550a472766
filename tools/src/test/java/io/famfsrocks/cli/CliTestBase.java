package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs verbs in-process against real sparse device files under /dev/shm, deleted afterwards. */
abstract class CliTestBase {
    static final String MASTER = "11111111-2222-3333-4444-555555555555";
    static final String CLIENT = "99999999-8888-7777-6666-555555555555";

    /** Result of one invocation. */
    record Result(int code, String out, String err) {
        Result expect(ExitCode c) {
            assertThat(code).as("exit code; out=%s err=%s", out, err).isEqualTo(c.code());
            return this;
        }
    }

    protected Path dev;
    protected final List<Path> cleanup = new ArrayList<>();
    protected List<String> mountLines = new ArrayList<>();
    protected Mounter mounter = Mounter.fuse();
    /** What {@code $FAMFS_DEVICE} would be; never the real environment's. */
    protected String defaultDevice;

    @BeforeEach
    void newDevicePath() {
        dev = devicePath();
    }

    @AfterEach
    void deleteDevices() throws IOException {
        for (Path p : cleanup) {
            Files.deleteIfExists(p);
        }
    }

    Path devicePath() {
        Path p = Path.of("/dev/shm/famfs-cli-test-" + UUID.randomUUID());
        cleanup.add(p);
        return p;
    }

    /** The umask creat and cp see; null: this JVM's real one. */
    protected Integer umask;

    Context context() {
        Context c = Context.system().withMounts(() -> MountTable.parse(mountLines)).withMounter(mounter)
                .withDefaultDevice(defaultDevice);
        return umask == null ? c : c.withUmask(umask);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(context(), new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code verb --system-uuid uuid args...}. */
    Result as(String uuid, String verb, String... args) {
        List<String> a = new ArrayList<>();
        a.add(verb);
        a.add("--system-uuid");
        a.add(uuid);
        a.addAll(List.of(args));
        return run(a.toArray(new String[0]));
    }

    Result master(String verb, String... args) {
        return as(MASTER, verb, args);
    }

    Result client(String verb, String... args) {
        return as(CLIENT, verb, args);
    }

    /** Formats {@link #dev} (1 GiB sparse) with {@link #MASTER} as its master. */
    void mkfs() {
        master("mkfs", "--size", "1g", dev.toString()).expect(ExitCode.OK);
    }

    MasterVolume openMaster() {
        return Famfs.openMaster(dev, OpenOptions.defaults().withSystemUuid(MASTER));
    }

    String d() {
        return dev.toString();
    }
}
