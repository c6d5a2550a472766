package io.famfsrocks.famfs;

import jnr.ffi.LibraryLoader;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A named place where a crash leaves the media in a state of its own, for tests that make a
 * process die exactly there. A process is armed by the system property {@value #PROPERTY}
 * (or the environment variable {@value #ENV}), read once when this class loads:
 * {@code NAME} dies at the first time point {@code NAME} is reached, {@code NAME@N} at the
 * N-th. The process then prints {@code famfs-fault: died at NAME (hit N)} on stderr and ends
 * with exit code {@value #EXIT_CODE} through libc's {@code _exit}: no shutdown hooks, no
 * finalisation, no C exit handlers, no flushing of anything but that line, as close to a
 * power cut as a JVM gets (stores already made to a shared mapping stay, as they would in
 * the memory itself). Not {@code Runtime.halt}: it runs the C exit handlers, and RocksDB's
 * then join its background threads, which wait to enter the JVM that is exiting: the
 * process hung there for good (seen in PublishFaultPointIT).
 *
 * <p>Unarmed (the normal case), {@link #hit} is one test of a static final field against
 * null, which the JIT removes. Points are declared as constants where they are used, and
 * listed with their tests in docs/reliability.md ("Fault points").
 */
public final class FaultPoint {
    public static final String PROPERTY = "famfs.fault";
    public static final String ENV = "FAMFS_FAULT";
    /** The exit code of a process that died at its armed point (distinct from kill -9's 137). */
    public static final int EXIT_CODE = 86;
    /** The start of the line printed on stderr just before the halt. */
    public static final String MARKER = "famfs-fault: died at ";

    private static final String ARMED;
    private static final long ARMED_HIT;
    private static final AtomicLong HITS = new AtomicLong();
    /** libc, loaded only when a point is armed. */
    private static final Libc LIBC;

    /** The one libc call: ends the process without exit handlers. */
    public interface Libc {
        void _exit(int status);
    }

    static {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isEmpty()) {
            spec = System.getenv(ENV);
        }
        String name = null;
        long at = 1;
        if (spec != null && !spec.isEmpty()) {
            int sep = spec.indexOf('@');
            name = sep < 0 ? spec : spec.substring(0, sep);
            if (sep >= 0) {
                try {
                    at = Long.parseLong(spec.substring(sep + 1));
                } catch (NumberFormatException e) {
                    at = 0;
                }
                if (at < 1) {
                    System.err.println("famfs-fault: bad " + PROPERTY + " '" + spec + "': want NAME or NAME@N with N >= 1");
                    Runtime.getRuntime().halt(2);
                }
            }
        }
        ARMED = name;
        ARMED_HIT = at;
        Libc libc = null;
        if (name != null) {
            try {
                libc = LibraryLoader.create(Libc.class).load("c");
            } catch (RuntimeException | LinkageError e) {
                System.err.println("famfs-fault: libc not loadable (" + e + "): dying with Runtime.halt instead");
            }
        }
        LIBC = libc;
    }

    private final String name;

    private FaultPoint(String name) {
        this.name = name;
    }

    /** Declares a point (a constant of the class that reaches it). */
    public static FaultPoint named(String name) {
        return new FaultPoint(name);
    }

    public String name() {
        return name;
    }

    /** Dies here if this is the armed point and its armed hit; otherwise nothing. */
    public void hit() {
        if (ARMED != null && ARMED.equals(name)) {
            long n = HITS.incrementAndGet();
            if (n == ARMED_HIT) {
                System.err.println(MARKER + name + " (hit " + n + ")");
                System.err.flush();
                if (LIBC != null) {
                    LIBC._exit(EXIT_CODE);
                }
                Runtime.getRuntime().halt(EXIT_CODE);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
