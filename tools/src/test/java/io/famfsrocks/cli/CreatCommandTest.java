package io.famfsrocks.cli;

import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CreatCommandTest extends CliTestBase {
    @Test
    void createsAFileWithModeAndOwner() {
        mkfs();
        assertThat(master("creat", "-s", "3m", "-m", "600", "-u", "1000", "-g", "2000", "--device", d(), "/f")
                .expect(ExitCode.OK).out()).contains("created /f (3145728 bytes)");
        try (MasterVolume v = openMaster()) {
            Node.File f = (Node.File) v.stat("f");
            assertThat(f.size()).isEqualTo(3 << 20);
            assertThat(f.mode()).isEqualTo(0600);
            assertThat(f.uid()).isEqualTo(1000);
            assertThat(f.gid()).isEqualTo(2000);
        }
    }

    @Test
    void randomizedFileVerifiesWithTheSameSeedOnly() {
        mkfs();
        master("creat", "-s", "5000001", "-r", "-S", "1234", "--device", d(), "r").expect(ExitCode.OK);
        assertThat(master("verify", "-S", "1234", "--device", d(), "r").expect(ExitCode.OK).out())
                .contains("Success: verified 5000001 bytes in file /r");
        assertThat(client("verify", "-S", "1235", "--device", d(), "r").expect(ExitCode.CHECK_FAILED).err())
                .contains("verify failed: /r differs at offset 0");
    }

    /** Issue 13 item 8: creat -r over an existing file rewrote it silently, dataset files included. */
    @Test
    void anExistingFileIsRewrittenOnlyWhenAskedAndNeverWithoutWriteBits() {
        mkfs();
        master("creat", "-s", "1m", "-r", "-S", "1", "--device", d(), "f").expect(ExitCode.OK);
        assertThat(master("creat", "-s", "1m", "-r", "-S", "2", "--device", d(), "f").expect(ExitCode.EXISTS).err())
                .contains("--overwrite");
        master("verify", "-S", "1", "--device", d(), "f").expect(ExitCode.OK); // unchanged
        master("creat", "-s", "1m", "-r", "-S", "2", "--overwrite", "--device", d(), "f").expect(ExitCode.OK);
        master("verify", "-S", "2", "--device", d(), "f").expect(ExitCode.OK);
        master("creat", "-s", "1m", "-m", "444", "-r", "-S", "3", "--device", d(), "ro").expect(ExitCode.OK);
        assertThat(master("creat", "-s", "1m", "-r", "-S", "4", "--overwrite", "--device", d(), "ro")
                .expect(ExitCode.NOT_PERMITTED).err()).contains("no write bits");
        master("verify", "-S", "3", "--device", d(), "ro").expect(ExitCode.OK);
    }

    @Test
    void recreatingTheSameSizeIsFineAnotherSizeIsExists() {
        mkfs();
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        assertThat(master("creat", "-s", "2m", "--device", d(), "f").expect(ExitCode.EXISTS).err()).contains("cannot be resized");
        master("mkdir", "--device", d(), "dir").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "dir").expect(ExitCode.EXISTS);
    }

    @Test
    void aClientCannotCreate() {
        mkfs();
        assertThat(client("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.NOT_MASTER).err())
                .contains("is a client of").doesNotContain("\tat ");
    }

    @Test
    void argumentErrors() {
        mkfs();
        assertThat(master("creat", "-s", "1m", "-S", "5", "--device", d(), "f").expect(ExitCode.USAGE).err())
                .contains("seed (-S) without randomize (-r)");
        master("creat", "--device", d(), "f").expect(ExitCode.USAGE); // -s is required
        master("creat", "-s", "0", "--device", d(), "f").expect(ExitCode.USAGE);
        master("creat", "-s", "1m", "-m", "999", "--device", d(), "f").expect(ExitCode.USAGE);
        master("creat", "-s", "1m", "-N", "2", "--device", d(), "f").expect(ExitCode.USAGE); // -B missing
        assertThat(master("creat", "-s", "1m", "-N", "2", "-B", "2", "--device", d(), "f").expect(ExitCode.USAGE).err())
                .contains("under 1 GiB");
    }

    @Test
    void pathErrors() {
        mkfs();
        master("creat", "-s", "1m", "--device", d(), "no/such/f").expect(ExitCode.NOT_FOUND);
        master("creat", "-s", "1m", "--device", d(), "x".repeat(80)).expect(ExitCode.BAD_NAME);
        master("creat", "-s", "1m", "--device", d(), "a/../b").expect(ExitCode.BAD_NAME);
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "f/g").expect(ExitCode.NOT_A_DIRECTORY);
        assertThat(master("creat", "-s", "1m", "/not/in/famfs").expect(ExitCode.NOT_FAMFS).err()).contains("--device");
    }

    @Test
    void noSpace() {
        mkfs();
        master("creat", "-s", "2g", "--device", d(), "big").expect(ExitCode.NO_SPACE);
        master("creat", "-s", "900m", "--device", d(), "a").expect(ExitCode.OK);
        assertThat(master("creat", "-s", "200m", "--device", d(), "b").expect(ExitCode.NO_SPACE).err()).contains("no space");
    }

    @Test
    void interleavedFilesStripeAcrossBuckets() {
        mkfs4g();
        master("creat", "-s", "16m", "-N", "2", "-B", "4", "-C", "2m", "-r", "-S", "9", "--device", d(), "s")
                .expect(ExitCode.OK);
        try (MasterVolume v = openMaster()) {
            FileLayout l = ((Node.File) v.stat("s")).entry().layout();
            assertThat(l).isInstanceOf(FileLayout.Interleaved.class);
            assertThat(l.extents()).hasSize(2);
        }
        master("verify", "-S", "9", "--device", d(), "s").expect(ExitCode.OK);
        assertThat(master("getmap", "--device", d(), "s").expect(ExitCode.OK).out())
                .contains("Interleave_Param chunk_size: 2097152", "Interleaved extent has 2 strips:");
    }

    @Test
    void createsThroughAMountedPath() {
        mkfs();
        mountLines = List.of("famfs:" + dev + " /mnt/famfs-test-nonexistent fuse.famfs rw 0 0");
        master("creat", "-s", "1m", "/mnt/famfs-test-nonexistent/viamount").expect(ExitCode.OK);
        try (MasterVolume v = openMaster()) {
            assertThat(v.lookup("viamount")).isNotNull();
            v.mkdir("d", CreateOptions.dir());
        }
    }

    private void mkfs4g() {
        master("mkfs", "--size", "4g", d()).expect(ExitCode.OK);
    }
}
