package io.famfsrocks.cli;

import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mount convention against the real kernel mount table: a stand-in FUSE file system
 * (an empty directory, not famfs) mounted with {@code fsname=famfs:<device>}, as the FUSE
 * adapter mounts. Checks that the verbs find the device from /proc/self/mounts, that mkfs
 * refuses a mounted device, and that umount unmounts. Skipped where FUSE is unavailable, failed there under CI=true
 * ({@link FuseAvailable}).
 */
class RealMountTableTest extends CliTestBase {
    private Path mp;
    private FuseStubFS fs;

    /** An empty, read-only root directory. */
    static final class EmptyDir extends FuseStubFS {
        @Override
        public int getattr(String path, FileStat stat) {
            if (!path.equals("/")) {
                return -ErrorCodes.ENOENT();
            }
            stat.st_mode.set(FileStat.S_IFDIR | 0755);
            stat.st_nlink.set(2);
            return 0;
        }

        @Override
        public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            return 0;
        }
    }

    @BeforeEach
    void mountStandIn() throws Exception {
        FuseAvailable.require();
        mkfs();
        mp = Files.createTempDirectory("famfs-cli-realmount").toRealPath();
        fs = new EmptyDir();
        try {
            fs.mount(mp, false, false, new String[] {"-o", "fsname=famfs:" + dev + ",subtype=famfs"});
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            FuseAvailable.unavailable("cannot mount FUSE here: " + e);
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (MountTable.read().mounts().stream().noneMatch(m -> m.mountPoint().equals(mp))) {
            if (System.currentTimeMillis() >= deadline) {
                // a mount that was accepted but never shows up is a failure, not a missing FUSE
                throw new AssertionError("FUSE mount of " + mp + " did not appear in /proc/self/mounts within 10 s");
            }
            Thread.sleep(20);
        }
    }

    @AfterEach
    void unmountStandIn() throws Exception {
        if (fs != null) {
            try {
                if (mounted()) {
                    fs.umount();
                }
                // fusermount can return before the kernel lets go of the mount point
                long deadline = System.currentTimeMillis() + 10_000;
                while (mounted() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                if (mounted()) {
                    new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).inheritIO().start()
                            .waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                for (int i = 0; ; i++) {
                    try {
                        Files.deleteIfExists(mp);
                        break;
                    } catch (java.nio.file.FileSystemException busy) {
                        if (i == 50) {
                            throw busy;
                        }
                        Thread.sleep(20);
                    }
                }
            }
        }
    }

    private boolean mounted() {
        return MountTable.read().mounts().stream().anyMatch(m -> m.mountPoint().equals(mp));
    }

    @Override
    Context context() {
        return super.context().withMounts(MountTable::read); // the real /proc/self/mounts
    }

    @Test
    void verbsFindTheDeviceFromTheKernelMountTable() {
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        assertThat(MountTable.read().containing(mp.resolve("x")).orElseThrow().device()).isEqualTo(dev);
        assertThat(client("df", "--json", mp.toString()).expect(ExitCode.OK).out()).contains("\"files\": 1");
        assertThat(client("stat", "--json", mp.resolve("f").toString()).expect(ExitCode.OK).out())
                .contains("\"path\": \"/f\"");
        master("mkdir", mp.resolve("d").toString()).expect(ExitCode.OK);
        assertThat(client("ls", mp.toString()).expect(ExitCode.OK).out()).isEqualTo("d/\nf\n");
    }

    @Test
    void mkfsRefusesAndUmountUnmounts() {
        assertThat(master("mkfs", "-f", d()).expect(ExitCode.BUSY).err()).contains("while it is mounted on " + mp);
        master("mount", d(), mp.toString()).expect(ExitCode.BUSY);
        assertThat(run("umount", mp.toString()).expect(ExitCode.OK).out()).contains("unmounted " + mp);
        assertThat(MountTable.read().mounts()).noneMatch(m -> m.mountPoint().equals(mp));
        run("umount", mp.toString()).expect(ExitCode.NOT_FAMFS);
    }
}
