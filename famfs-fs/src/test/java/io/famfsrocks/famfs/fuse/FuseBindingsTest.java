package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The choice of FUSE binding. famfs-fs's own test class path never holds the libfuse3
 * binding (it lives in famfs-fuse3, which depends on this module), so here {@code auto}
 * always falls back to jnr-fuse and says why; FuseMountFuse3IT (it-tests) checks the other side.
 */
class FuseBindingsTest {
    @Test
    void jnrIsChosenWhenAskedFor() {
        FuseBindings.Choice c = FuseBindings.choose("jnr");
        assertThat(c.name()).isEqualTo("jnr");
        assertThat(c.factory().apply(null)).isInstanceOf(JnrFuseBinding.class);
    }

    @Test
    void autoFallsBackToJnrAndSaysWhyWhenFuse3CannotRun() {
        FuseBindings.Choice c = FuseBindings.choose("auto");
        assertThat(c.name()).isEqualTo("jnr");
        assertThat(c.why()).startsWith("auto: fuse3 ")
                .containsAnyOf("needs Java 22+", "famfs-fuse3 module is not on the class path");
        assertThat(FuseBindings.choose(null).name()).isEqualTo("jnr");
    }

    @Test
    void fuse3AskedForButUnavailableIsAnIoErrorWithTheReason() {
        FamfsException e = catchThrowableOfType(FamfsException.class, () -> FuseBindings.choose("fuse3"));
        assertThat(e.kind()).isEqualTo(ErrorKind.IO);
        assertThat(e.getMessage()).startsWith("the fuse3 binding cannot run here: ");
    }

    @Test
    void anUnknownNameIsInvalid() {
        FamfsException e = catchThrowableOfType(FamfsException.class, () -> FuseBindings.choose("fuse4"));
        assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
        assertThat(e.getMessage()).isEqualTo("unknown FUSE binding 'fuse4' (auto, jnr or fuse3)");
    }

    @Test
    void mountMainTakesTheBindingAsAnOption() {
        assertThat(MountMain.run(new String[] {"/dev/shm/none", "/tmp/none", "--binding"})).isEqualTo(2);
        assertThat(FamfsMount.Options.defaults().withBinding("jnr").binding()).isEqualTo("jnr");
        assertThat(FamfsMount.Options.defaults().withDebug(true).withBinding("fuse3").withReadOnly(true).binding())
                .isEqualTo("fuse3");
    }
}
