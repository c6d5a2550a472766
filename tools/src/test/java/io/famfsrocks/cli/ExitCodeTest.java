package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ExitCodeTest {
    @Test
    void codesAreDistinctAndUsageIsTwo() {
        Set<Integer> seen = new HashSet<>();
        for (ExitCode c : ExitCode.values()) {
            assertThat(seen.add(c.code())).as(c.name()).isTrue();
        }
        assertThat(ExitCode.OK.code()).isZero();
        assertThat(ExitCode.USAGE.code()).isEqualTo(2);
    }

    @Test
    void everyErrorKindHasItsOwnCodeExceptInvalidArgumentWhichIsUsage() {
        Set<ExitCode> mapped = new HashSet<>();
        for (ErrorKind k : ErrorKind.values()) {
            ExitCode c = ExitCode.of(k);
            assertThat(c).isNotIn(ExitCode.OK, ExitCode.INTERNAL);
            assertThat(mapped.add(c)).as(k.name()).isTrue();
        }
        assertThat(ExitCode.of(ErrorKind.INVALID_ARGUMENT)).isEqualTo(ExitCode.USAGE);
        assertThat(Arrays.stream(ErrorKind.values()).map(ExitCode::of)).contains(ExitCode.NOT_MASTER, ExitCode.LOG_FULL);
    }
}
