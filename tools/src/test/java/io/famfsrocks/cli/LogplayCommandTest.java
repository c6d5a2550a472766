package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogplayCommandTest extends CliTestBase {
    @Test
    void summarisesListsAndPrintsJson() {
        mkfs();
        master("mkdir", "--device", d(), "d").expect(ExitCode.OK);
        master("creat", "-s", "1m", "-m", "640", "--device", d(), "d/f").expect(ExitCode.OK);
        assertThat(client("logplay", d()).expect(ExitCode.OK).out())
                .isEqualTo("famfs logplay: processed 2 log entries; 1 files; 1 directories\n");
        assertThat(client("logplay", "-n", "--device", d()).expect(ExitCode.OK).out())
                .contains("dry run", "0 mkdir 0755", "1 file  0640", "1048576  d/f");
        assertThat(client("logplay", "--json", "-n", d()).expect(ExitCode.OK).out())
                .contains("\"entries_replayed\": 2", "\"type\": \"mkdir\"", "\"errors\": []");
        mountLines = List.of("famfs:" + dev + " /mnt/famfs-logplay-test fuse rw 0 0");
        client("logplay", "/mnt/famfs-logplay-test/d").expect(ExitCode.OK);
    }

    @Test
    void errors() {
        client("logplay").expect(ExitCode.USAGE);
        client("logplay", d()).expect(ExitCode.NOT_FOUND);
    }
}
