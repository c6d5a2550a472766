package io.famfsrocks.famfs.fuse;

/**
 * A FUSE binding that lives outside this module and is found with {@link java.util.ServiceLoader}
 * (the libfuse3 binding needs Java 22+ and is built only on such a JDK). Implementations
 * are stateless and thread-safe.
 */
public interface FuseBindingProvider {
    /** The name {@link FuseBindings} selects it by (e.g. {@code fuse3}). */
    String name();

    /** Why it cannot serve on this machine and JVM (library missing, too old), or null when it can. */
    String unavailableReason();

    /** A binding serving {@code ops}; only called when {@link #unavailableReason()} is null. */
    FuseBinding create(FamfsFuseOps ops);
}
