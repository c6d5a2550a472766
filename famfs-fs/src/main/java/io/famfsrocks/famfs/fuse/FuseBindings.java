package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * Chooses the FUSE binding a mount uses: {@code jnr} (jnr-fuse over libfuse2, any Java 17+)
 * or {@code fuse3} (libfuse3 through the Java 22+ foreign function API, a {@link
 * FuseBindingProvider} from the famfs-fuse3 module). {@code auto} takes fuse3 when the JVM
 * is 22 or newer, the provider is on the class path and libfuse3 loads; jnr otherwise.
 * The wish comes from {@link FamfsMount.Options#binding()}, whose default is the system
 * property {@value #PROPERTY}. Stateless, thread-safe.
 */
public final class FuseBindings {
    /** System property naming the binding: {@code auto} (default), {@code jnr} or {@code fuse3}. */
    public static final String PROPERTY = "famfs.fuse.binding";
    public static final String AUTO = "auto";
    public static final String JNR = "jnr";
    public static final String FUSE3 = "fuse3";
    /** The first Java release whose foreign function API the fuse3 binding is compiled against. */
    static final int FFM_JAVA = 22;

    /** A chosen binding: its name, how to make it, and why it was chosen (for the mount's log line). */
    public record Choice(String name, Function<FamfsFuseOps, FuseBinding> factory, String why) {}

    private FuseBindings() {}

    /** The binding named by the system property (default {@code auto}). */
    public static String wanted() {
        return System.getProperty(PROPERTY, AUTO);
    }

    /**
     * Resolves {@code wanted} to a binding.
     *
     * @throws FamfsException INVALID_ARGUMENT for an unknown name; IO when a binding that was
     *     asked for by name cannot run here (the reason says why)
     */
    public static Choice choose(String wanted) {
        String w = wanted == null || wanted.isBlank() ? AUTO : wanted.trim();
        switch (w) {
            case JNR -> {
                return new Choice(JNR, JnrFuseBinding::new, "asked for");
            }
            case AUTO, FUSE3 -> {
                String why = null;
                FuseBindingProvider p = null;
                if (Runtime.version().feature() < FFM_JAVA) {
                    why = "needs Java " + FFM_JAVA + "+, this JVM is " + Runtime.version().feature();
                } else {
                    List<String> reasons = new ArrayList<>();
                    p = provider(FUSE3, reasons);
                    why = p == null ? (reasons.isEmpty() ? "the famfs-fuse3 module is not on the class path"
                            : String.join("; ", reasons)) : null;
                }
                if (why == null) {
                    return new Choice(FUSE3, p::create, w.equals(AUTO) ? "auto: Java and libfuse3 allow it" : "asked for");
                }
                if (w.equals(FUSE3)) {
                    throw new FamfsException(ErrorKind.IO, "the fuse3 binding cannot run here: " + why);
                }
                return new Choice(JNR, JnrFuseBinding::new, "auto: fuse3 " + why);
            }
            default -> throw new FamfsException(ErrorKind.INVALID_ARGUMENT,
                    "unknown FUSE binding '" + w + "' (auto, jnr or fuse3)");
        }
    }

    private static FuseBindingProvider provider(String name, List<String> reasons) {
        try {
            for (FuseBindingProvider p : ServiceLoader.load(FuseBindingProvider.class, FuseBindings.class.getClassLoader())) {
                if (p.name().equals(name)) {
                    String why = p.unavailableReason();
                    if (why == null) {
                        return p;
                    }
                    reasons.add(why);
                }
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            reasons.add("cannot load it: " + e.getMessage());
        }
        return null;
    }
}
