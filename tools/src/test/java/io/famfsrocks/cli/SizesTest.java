package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest {
    @Test
    void suffixesAre1024Based() {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("64k")).isEqualTo(64 << 10);
        assertThat(Sizes.parse("8M")).isEqualTo(8 << 20);
        assertThat(Sizes.parse("1g")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("2T")).isEqualTo(2L << 40);
        assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("0x200000")).isEqualTo(0x200000);
    }

    @Test
    void rejectsGarbageNegativeAndOverflow() {
        assertThatThrownBy(() -> Sizes.parse("12q")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sizes.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sizes.parse("99999999t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sizes.SizeConverter().convert("x"))
                .isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void modesAreOctalAndIdsNumeric() {
        assertThat(new Sizes.ModeConverter().convert("644")).isEqualTo(0644);
        assertThat(new Sizes.ModeConverter().convert("0755")).isEqualTo(0755);
        assertThatThrownBy(() -> new Sizes.ModeConverter().convert("8")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> new Sizes.ModeConverter().convert("17777")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThat(new Sizes.IdConverter().convert("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> new Sizes.IdConverter().convert("root")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void humanUsesBinarySuffixes() {
        assertThat(Sizes.human(512)).isEqualTo("512");
        assertThat(Sizes.human(1L << 30)).isEqualTo("1.00G");
        assertThat(Sizes.human(3L << 19)).isEqualTo("1.50M");
    }
}
