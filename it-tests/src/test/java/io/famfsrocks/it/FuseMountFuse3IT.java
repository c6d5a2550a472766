package io.famfsrocks.it;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fuse.FuseBindings;
import org.junit.jupiter.api.Assumptions;

/**
 * The FUSE conformance suite against the libfuse3 binding (famfs-fuse3, Java 22+). On a
 * Java 17 JVM it is skipped, even under CI (the project builds without the binding there);
 * on Java 22+ a missing libfuse3 fails it under {@code CI=true} ({@code scripts/install-deps}
 * installs it) and skips it elsewhere.
 */
class FuseMountFuse3IT extends FuseConformance {
    @Override
    String binding() {
        return FuseBindings.FUSE3;
    }

    @Override
    void requireBinding() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22,
                "the libfuse3 binding needs Java 22+; this JVM is " + Runtime.version().feature());
        try {
            FuseBindings.choose(FuseBindings.FUSE3);
        } catch (FamfsException e) {
            FuseAvailable.unavailable(e.getMessage());
        }
    }
}
