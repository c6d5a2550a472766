package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MountTableTest {
    private final MountTable table = MountTable.parse(List.of(
            "tmpfs /dev/shm tmpfs rw 0 0",
            "famfs:/dev/shm/famfs0 /mnt/famfs fuse.famfs rw,nosuid 0 0",
            "famfs:/dev/shm/other\\040dev /mnt/famfs/inner fuse rw 0 0",
            "famfs:/dev/shm/x /mnt/notfuse ext4 rw 0 0"));

    @Test
    void findsOnlyFuseMountsWithTheFamfsFsname() {
        assertThat(table.mounts()).extracting(MountTable.Mount::device)
                .containsExactly(Path.of("/dev/shm/famfs0"), Path.of("/dev/shm/other dev"));
    }

    @Test
    void innermostMountWins() {
        assertThat(table.containing(Path.of("/mnt/famfs/a/b")).orElseThrow().device()).isEqualTo(Path.of("/dev/shm/famfs0"));
        assertThat(table.containing(Path.of("/mnt/famfs/inner/x")).orElseThrow().device())
                .isEqualTo(Path.of("/dev/shm/other dev"));
        assertThat(table.containing(Path.of("/mnt/famfsx"))).isEmpty();
    }

    @Test
    void targetResolvesThroughTheMountOrTheDeviceOption() {
        Target t = Target.resolve(null, "/mnt/famfs/a/b", table);
        assertThat(t).isEqualTo(new Target(Path.of("/dev/shm/famfs0"), "a/b"));
        assertThat(Target.resolve(null, "/mnt/famfs", table).relative()).isEmpty();
        assertThat(Target.resolve(Path.of("/dev/x"), "/a/b/", table)).isEqualTo(new Target(Path.of("/dev/x"), "a/b"));
        assertThatThrownBy(() -> Target.resolve(null, "/elsewhere/f", table))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo(ExitCode.NOT_FAMFS));
        assertThat(Target.volume(null, "/mnt/famfs/a", table)).isEqualTo(Path.of("/dev/shm/famfs0"));
        assertThat(Target.volume(null, "/dev/dax0.0", table)).isEqualTo(Path.of("/dev/dax0.0"));
    }
}
