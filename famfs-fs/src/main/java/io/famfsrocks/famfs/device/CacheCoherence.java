package io.famfsrocks.famfs.device;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

/**
 * The hook for memory that is shared between hosts without hardware cache coherence.
 *
 * <p>On such memory a writer must write its cache lines back after storing file data or a
 * log entry, and a reader must invalidate its cached lines before reading what another host
 * wrote (the reference famfs does both around every log access, and retries a read that
 * fails its CRC once after invalidating). Where memory is coherent (a single host, tmpfs,
 * CXL with hardware coherence) both are no-ops: {@link #COHERENT}. The engine calls the
 * hook through {@link MemoryDevice#flush} and {@link MemoryDevice#invalidate}; where it must
 * be called is the contract in docs/architecture.md ("Memory that is not coherent").
 *
 * <p>Which implementation a process uses is chosen once, by name ({@link #named}): the
 * system property {@code famfs.coherence}, else the environment variable
 * {@code FAMFS_COHERENCE} (inherited by the processes a test or tool starts), else
 * {@code coherent}; the CLI's {@code --coherence} sets the property. Names:
 * <ul>
 *   <li>{@code coherent}: no-ops ({@link #COHERENT});
 *   <li>{@code model}: the test model of non-coherent memory ({@link NonCoherentModel});
 *   <li>{@code cpu-flush}: the hardware hook, {@code clwb} (else {@code clflushopt}) over the
 *       range and a fence ({@link CpuCacheFlush}; x86-64 only);
 *   <li>{@code msync}: {@code msync} of the range on every write-back, for a device file on a
 *       file system whose pages must be written (a regular file off tmpfs gets it anyway).
 * </ul>
 * Implementations must be thread-safe.
 */
public interface CacheCoherence {
    /** Makes stores to {@code [offset, offset + length)} visible to other hosts. */
    void writeBack(MemoryDevice device, long offset, long length);

    /** Drops cached copies of {@code [offset, offset + length)} so the next load reads memory. */
    void invalidate(MemoryDevice device, long offset, long length);

    CacheCoherence COHERENT = new CacheCoherence() {
        @Override
        public void writeBack(MemoryDevice device, long offset, long length) {}

        @Override
        public void invalidate(MemoryDevice device, long offset, long length) {}

        @Override
        public String toString() {
            return "coherent";
        }
    };

    /** The names {@link #named} accepts. */
    String NAMES = "coherent, model, cpu-flush, msync";

    /** The implementation this process uses (see the class comment); read once. */
    static CacheCoherence selected() {
        return Selection.SELECTED.get();
    }

    /**
     * Makes the implementation called {@code name} this process's selection (and that of the
     * processes it starts with the system property forwarded), returning the previous name so
     * that a caller can restore it: the CLI's {@code --coherence}.
     */
    static String select(String name) {
        CacheCoherence c = named(name);
        String before = System.getProperty(Selection.PROPERTY);
        System.setProperty(Selection.PROPERTY, name);
        Selection.SELECTED.set(c);
        return before;
    }

    /** Undoes {@link #select}: {@code previous} is what it returned (null: no property was set). */
    static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(Selection.PROPERTY);
        } else {
            System.setProperty(Selection.PROPERTY, previous);
        }
        Selection.SELECTED.set(null);
    }

    /**
     * The implementation called {@code name}.
     *
     * @throws FamfsException INVALID_ARGUMENT for another name, or {@code cpu-flush} where
     *         the CPU lacks the instructions
     */
    static CacheCoherence named(String name) {
        switch (name) {
            case "coherent":
                return COHERENT;
            case "model":
                return new NonCoherentModel(Selection.number("famfs.coherence.seed", "FAMFS_COHERENCE_SEED", 1).longValue(),
                        Selection.number("famfs.coherence.evict", "FAMFS_COHERENCE_EVICT", 0.05).doubleValue());
            case "cpu-flush":
                return CpuCacheFlush.instance();
            case "msync":
                return MsyncCoherence.INSTANCE;
            default:
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "unknown cache coherence '" + name
                        + "' (known: " + NAMES + ")");
        }
    }

    /** Reads the selection once, on first use. */
    final class Selection {
        /** The system property that names the selection (forwarded to child JVMs that famfs-rocks starts). */
        public static final String PROPERTY = "famfs.coherence";
        private static final Chosen SELECTED = new Chosen();

        /** The selection, read on first use; {@link #set} replaces it (null: read again). */
        private static final class Chosen {
            private volatile CacheCoherence chosen;

            CacheCoherence get() {
                CacheCoherence c = chosen;
                if (c == null) {
                    synchronized (this) {
                        if (chosen == null) {
                            chosen = named(setting(PROPERTY, "FAMFS_COHERENCE", "coherent"));
                        }
                        c = chosen;
                    }
                }
                return c;
            }

            synchronized void set(CacheCoherence c) {
                chosen = c;
            }
        }

        /** {@code -Dfamfs.coherence=NAME} when this process was told a coherence by property, else empty. */
        public static java.util.List<String> jvmArguments() {
            String v = System.getProperty(PROPERTY);
            return v == null || v.isEmpty() ? java.util.List.of() : java.util.List.of("-D" + PROPERTY + "=" + v);
        }

        private Selection() {
        }

        static String setting(String property, String env, String otherwise) {
            String v = System.getProperty(property);
            if (v == null || v.isEmpty()) {
                v = System.getenv(env);
            }
            return v == null || v.isEmpty() ? otherwise : v;
        }

        static Number number(String property, String env, Number otherwise) {
            String v = setting(property, env, null);
            if (v == null) {
                return otherwise;
            }
            try {
                return Double.valueOf(v);
            } catch (NumberFormatException e) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, property + " / " + env + " must be a number, not '"
                        + v + "'");
            }
        }
    }
}
