package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** --device, then a path inside a mount, then $FAMFS_DEVICE. */
class DeviceResolutionTest extends CliTestBase {
    @Test
    void famfsDeviceIsTheFallbackForPathsOutsideAMount() {
        mkfs();
        defaultDevice = d();
        master("creat", "-s", "1m", "/f").expect(ExitCode.OK);
        assertThat(client("ls").expect(ExitCode.OK).out()).isEqualTo("f\n");
        assertThat(client("df", "--json").expect(ExitCode.OK).out()).contains("\"files\": 1");
        client("fsck").expect(ExitCode.OK);
        client("logplay").expect(ExitCode.OK);
    }

    @Test
    void aPathInsideAMountWinsOverFamfsDevice() {
        mkfs();
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        defaultDevice = "/dev/shm/no-such-famfs-device";
        mountLines = List.of("famfs:" + dev + " /mnt/famfs-resolution-test fuse.famfs rw 0 0");
        client("stat", "/mnt/famfs-resolution-test/f").expect(ExitCode.OK);
        client("df", "/mnt/famfs-resolution-test").expect(ExitCode.OK);
        client("fsck", d()).expect(ExitCode.OK); // an explicit argument wins over the environment
        client("stat", "/f").expect(ExitCode.NOT_FOUND); // outside the mount: the (missing) fallback device
    }

    @Test
    void explicitDeviceWinsAndCannotBeCombinedWithAVolumeArgument() {
        mkfs();
        mountLines = List.of("famfs:/dev/shm/other /mnt/famfs-resolution-test fuse.famfs rw 0 0");
        master("mkdir", "--device", d(), "/mnt/famfs-resolution-test").expect(ExitCode.NOT_FOUND); // volume-relative
        assertThat(client("fsck", "--device", d(), d()).expect(ExitCode.USAGE).err()).contains("not both");
    }
}
