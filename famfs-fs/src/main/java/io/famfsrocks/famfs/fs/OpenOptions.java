package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.device.CacheCoherence;
import io.famfsrocks.famfs.format.FamfsLayout;

/**
 * How to open a volume.
 *
 * @param systemUuid this host's UUID, or null to resolve it ({@link SystemUuid#resolve})
 * @param version the format version to accept (48 unless told otherwise)
 * @param coherence the cache hook for non-coherent shared memory (this process's selection unless told)
 */
public record OpenOptions(String systemUuid, long version, CacheCoherence coherence) {
    public static OpenOptions defaults() {
        return new OpenOptions(null, FamfsLayout.CURRENT_VERSION, CacheCoherence.selected());
    }

    public OpenOptions withSystemUuid(String uuid) {
        return new OpenOptions(uuid, version, coherence);
    }

    public OpenOptions withVersion(long v) {
        return new OpenOptions(systemUuid, v, coherence);
    }

    public OpenOptions withCoherence(CacheCoherence c) {
        return new OpenOptions(systemUuid, version, c);
    }

    /** The names {@link #useCoherence} accepts. */
    public static final String COHERENCE_NAMES = CacheCoherence.NAMES;

    /**
     * Makes the cache coherence called {@code name} this process's (and, through the system
     * property {@code famfs.coherence}, that of the mount servers it starts) until the
     * returned scope is closed: the CLI's {@code --coherence}.
     *
     * @throws io.famfsrocks.famfs.FamfsException INVALID_ARGUMENT for an unknown name
     */
    public static Scope useCoherence(String name) {
        String before = CacheCoherence.select(name);
        return () -> CacheCoherence.restore(before);
    }

    /** A setting in force until closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** JVM arguments that give a child JVM this process's coherence when it was set by property (else none). */
    public static java.util.List<String> coherenceJvmArguments() {
        return CacheCoherence.Selection.jvmArguments();
    }
}
