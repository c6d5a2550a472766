package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --coherence NAME} selects the cache hook for the verb (and its mount servers); a bad name is USAGE. */
class CoherenceOptionTest extends CliTestBase {
    @Test
    void everyVerbRunsWithTheHardwareHookOrTheModelAndABadNameIsUsage() {
        mkfs();
        master("creat", "-s", "3m", "-r", "-S", "7", "--coherence", "cpu-flush", "--device", d(), "f").expect(ExitCode.OK);
        assertThat(client("verify", "-S", "7", "--coherence", "cpu-flush", "--device", d(), "f").expect(ExitCode.OK).out())
                .contains("Success: verified 3145728 bytes in file /f");
        master("creat", "-s", "1m", "-r", "-S", "8", "--coherence", "model", "--device", d(), "g").expect(ExitCode.OK);
        client("verify", "-S", "8", "--coherence", "model", "--device", d(), "g").expect(ExitCode.OK);
        client("verify", "-S", "8", "--coherence", "msync", "--device", d(), "g").expect(ExitCode.OK);
        client("fsck", "--coherence", "cpu-flush", d()).expect(ExitCode.OK);
        assertThat(client("ls", "--coherence", "nope", "--device", d(), "/").expect(ExitCode.USAGE).err())
                .contains("unknown cache coherence 'nope' (known: coherent, model, cpu-flush, msync)");
        assertThat(System.getProperty("famfs.coherence")).as("the selection ends with the verb").isNull();
    }
}
