package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MkfsCommandTest extends CliTestBase {
    @Test
    void createsASparseDeviceAndFormatsIt() throws Exception {
        Result r = master("mkfs", "--size", "1g", d()).expect(ExitCode.OK);
        assertThat(r.out()).contains("famfs file system created on " + dev, "new sparse file", "15420 entries", MASTER);
        assertThat(r.err()).contains("under 4 GiB");
        assertThat(Files.size(dev)).isEqualTo(1L << 30);
        assertThat(Famfs.readSuperblock(dev, OpenOptions.defaults()).systemUuid().toString()).isEqualTo(MASTER);
    }

    /** Issue 13 item 6: a new device file is 0600 (it was 0644: any local user read every famfs file). */
    @Test
    void aNewDeviceFileIsReadableByItsOwnerOnly() throws Exception {
        master("mkfs", "--size", "64m", d()).expect(ExitCode.OK);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dev)))
                .isEqualTo("rw-------");
        Files.delete(dev);
        master("mkfs", "--size", "64m", "--mode", "0640", d()).expect(ExitCode.OK);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dev)))
                .isEqualTo("rw-r-----");
        Files.delete(dev);
        assertThat(master("mkfs", "--size", "64m", "--mode", "0755", d()).expect(ExitCode.USAGE).err())
                .contains("never executable");
        master("mkfs", "--size", "64m", "--mode", "rw", d()).expect(ExitCode.USAGE);
        assertThat(Files.exists(dev)).isFalse();
    }

    @Test
    void logLengthIsHonoured() {
        master("mkfs", "--size", "1g", "-l", "16m", d()).expect(ExitCode.OK);
        assertThat(Famfs.readSuperblock(dev, OpenOptions.defaults()).logLen()).isEqualTo(16L << 20);
    }

    @Test
    void refusesAnExistingFileSystemWithoutForce() {
        mkfs();
        assertThat(master("mkfs", d()).expect(ExitCode.EXISTS).err()).contains("use -f");
        master("mkfs", "-f", d()).expect(ExitCode.OK);
    }

    @Test
    void anotherHostCannotReformatEvenWithForce() {
        mkfs();
        assertThat(client("mkfs", "-f", d()).expect(ExitCode.NOT_MASTER).err()).startsWith("famfs-rocks: ")
                .contains("mkfs -k");
        client("mkfs", "-k", "-f", d()).expect(ExitCode.NOT_MASTER);
    }

    @Test
    void killNeedsForceAndThenInvalidatesTheSuperblock() {
        mkfs();
        assertThat(master("mkfs", "-k", d()).expect(ExitCode.USAGE).err()).contains("-k (kill) also requires -f");
        assertThat(master("mkfs", "-k", "-f", d()).expect(ExitCode.OK).out()).contains("killed");
        master("ls", "--device", d()).expect(ExitCode.NOT_FAMFS);
        master("mkfs", "-k", "-f", d()).expect(ExitCode.NOT_FAMFS);
        master("mkfs", d()).expect(ExitCode.OK); // a killed volume can be formatted again without -f
    }

    @Test
    void missingDeviceNeedsSize() {
        assertThat(master("mkfs", d()).expect(ExitCode.NOT_FOUND).err()).contains("add --size SIZE");
        assertThat(Files.exists(dev)).isFalse();
    }

    @Test
    void badLogLengthIsAUsageErrorAndLeavesNoFileBehind() {
        assertThat(master("mkfs", "--size", "1g", "-l", "12m", d()).expect(ExitCode.USAGE).err()).contains("power of two");
        assertThat(Files.exists(dev)).isFalse();
        master("mkfs", "--size", "1x", d()).expect(ExitCode.USAGE);
    }

    /**
     * Issue 13 item 11: an ext4 image (its magic 0xef53 at 1080) or a file of other data is
     * not overwritten without -f, and its bytes stay; an all-zero file needs no -f.
     */
    @Test
    void refusesAForeignFileSystemOrDataWithoutForce() throws Exception {
        byte[] ext4 = new byte[4096];
        ext4[1080] = 0x53;
        ext4[1081] = (byte) 0xef;
        try (var ch = java.nio.channels.FileChannel.open(dev, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(ext4));
        }
        sizeTo1GiB();
        assertThat(master("mkfs", d()).expect(ExitCode.EXISTS).err()).contains("ext2/ext3/ext4")
                .contains("use -f").doesNotContain("\n\t");
        assertThat(java.nio.file.Files.readAllBytes(dev)[1081]).as("untouched").isEqualTo((byte) 0xef);
        byte[] zero = new byte[4096];
        try (var ch = java.nio.channels.FileChannel.open(dev, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(zero), 1024);
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {7}), 11);
        }
        assertThat(master("mkfs", d()).expect(ExitCode.EXISTS).err()).contains("non-zero byte at offset 11");
        master("mkfs", "-f", d()).expect(ExitCode.OK);
        Files.delete(dev);
        sizeTo1GiB();
        master("mkfs", d()).expect(ExitCode.OK);
    }

    void sizeTo1GiB() throws java.io.IOException {
        try (var f = new java.io.RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
    }

    @Test
    void tooSmallDeviceIsNoSpace() {
        master("mkfs", "--size", "8m", d()).expect(ExitCode.NO_SPACE);
    }

    @Test
    void sizeOfAnExistingFileMustMatch() {
        mkfs();
        master("mkfs", "-f", "--size", "2g", d()).expect(ExitCode.EXISTS);
    }

    @Test
    void refusesAMountedDevice() {
        mkfs();
        mountLines = List.of("famfs:" + dev + " /mnt/x fuse.famfs rw 0 0");
        assertThat(master("mkfs", "-f", d()).expect(ExitCode.BUSY).err()).contains("mounted on /mnt/x");
    }
}
