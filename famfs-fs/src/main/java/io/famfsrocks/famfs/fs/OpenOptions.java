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
}
