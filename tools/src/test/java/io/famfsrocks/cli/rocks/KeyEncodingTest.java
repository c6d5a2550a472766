package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 13 item 11: base64 in either alphabet; utf8 never prints bytes that are not UTF-8. */
class KeyEncodingTest {
    static final byte[] BINARY = {(byte) 0xfb, (byte) 0xff};

    @Test
    void base64AcceptsBothAlphabetsAndPrintsUrlSafe() {
        assertThat(KeyEncoding.BASE64.decode("+/8=")).containsExactly(BINARY);
        assertThat(KeyEncoding.BASE64.decode("-_8=")).containsExactly(BINARY);
        assertThat(KeyEncoding.BASE64.decode("-_8")).as("padding optional").containsExactly(BINARY);
        assertThat(KeyEncoding.BASE64.encode(BINARY)).isEqualTo("-_8=");
        assertThatThrownBy(() -> KeyEncoding.BASE64.decode("*"))
                .isInstanceOf(CliException.class).hasMessageContaining("standard (+/) or URL-safe (-_) alphabet");
    }

    @Test
    void utf8RefusesBinaryBytesInsteadOfReplacingThem() {
        assertThat(KeyEncoding.UTF8.encode("é".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo("é");
        assertThatThrownBy(() -> KeyEncoding.UTF8.encode(BINARY))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("fbff").hasMessageContaining("not valid UTF-8").hasMessageContaining("--enc hex")
                .satisfies(e -> assertThat(((CliException) e).code()).isEqualTo(ExitCode.USAGE));
    }
}
