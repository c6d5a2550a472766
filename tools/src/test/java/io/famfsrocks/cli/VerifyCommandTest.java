package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VerifyCommandTest extends CliTestBase {
    @Test
    void errors() {
        mkfs();
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        master("mkdir", "--device", d(), "dir").expect(ExitCode.OK);
        assertThat(client("verify", "--device", d(), "f").expect(ExitCode.USAGE).err()).contains("--seed");
        client("verify", "-S", "1", "--device", d(), "nope").expect(ExitCode.NOT_FOUND);
        client("verify", "-S", "1", "--device", d(), "dir").expect(ExitCode.IS_A_DIRECTORY);
        client("verify", "-S", "x", "--device", d(), "f").expect(ExitCode.USAGE);
    }

    @Test
    void quietSuccessPrintsNothing() {
        mkfs();
        master("creat", "-s", "100", "-r", "-S", "3", "--device", d(), "f").expect(ExitCode.OK);
        assertThat(client("verify", "-q", "-S", "3", "--device", d(), "f").expect(ExitCode.OK).out()).isEmpty();
        assertThat(client("verify", "-S", "3", "--device", d(), "-f", "f").expect(ExitCode.OK).out()).contains("Success");
        client("verify", "-S", "3", "--device", d()).expect(ExitCode.USAGE);
        client("verify", "-S", "3", "--device", d(), "-f", "f", "f").expect(ExitCode.USAGE);
    }
}
