package io.famfsrocks.it;

/** The FUSE conformance suite against jnr-fuse (libfuse2), the binding every Java 17+ JVM has. */
class FuseMountIT extends FuseConformance {
    @Override
    String binding() {
        return "jnr";
    }
}
