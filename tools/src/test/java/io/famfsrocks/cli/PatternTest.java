package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class PatternTest {
    /** Bytes from a C build of the reference generator (xoroshiro128+ seeded by splitmix64). */
    @Test
    void matchesTheReferenceGeneratorIncludingTheTail() {
        ByteBuffer b = ByteBuffer.allocate(10);
        new Pattern(42).fill(b);
        assertThat(HexFormat.of().formatHex(b.array())).isEqualTo("985f52e27afb0c3df88c");
    }

    @Test
    void seedIsTruncatedTo32BitsAsTheReferenceDoes() {
        assertThat((int) new Pattern(0x1ffffffffL).next()).isEqualTo(0xc3325574);
    }

    @Test
    void chunkedFillEqualsOneFill() {
        ByteBuffer whole = ByteBuffer.allocate(4096);
        new Pattern(7).fill(whole);
        Pattern p = new Pattern(7);
        ByteBuffer parts = ByteBuffer.allocate(4096);
        parts.limit(1024);
        p.fill(parts);
        parts.limit(4096);
        p.fill(parts);
        assertThat(parts.array()).isEqualTo(whole.array());
    }
}
