package io.famfsrocks.famfs.fuse.fuse3;

import io.famfsrocks.famfs.fuse.FamfsFuseOps;
import io.famfsrocks.famfs.fuse.FuseBinding;
import io.famfsrocks.famfs.fuse.FuseBindingProvider;
import io.famfsrocks.famfs.fuse.FuseBindings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Offers {@link Fuse3Binding} to {@link FuseBindings} (ServiceLoader). Usable when libfuse3
 * 3.12+ loads and the process may mount: as root libfuse3 calls mount(2) itself, otherwise
 * it needs the setuid {@code fusermount3}. The library is loaded once. Thread-safe.
 */
public final class Fuse3Provider implements FuseBindingProvider {
    private static final Object LOCK = new Object();
    private static LibFuse3 lib;
    private static String unavailable;

    @Override
    public String name() {
        return FuseBindings.FUSE3;
    }

    @Override
    public String unavailableReason() {
        synchronized (LOCK) {
            if (lib == null && unavailable == null) {
                try {
                    lib = LibFuse3.load();
                    if (!isRoot() && !onPath("fusermount3")) {
                        unavailable = "not root and no fusermount3 (apt-get install fuse3)";
                    }
                } catch (UnsupportedOperationException | LinkageError e) {
                    unavailable = e.getMessage();
                }
            }
            return unavailable;
        }
    }

    @Override
    public FuseBinding create(FamfsFuseOps ops) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("fuse3 binding unavailable: " + why);
        }
        return new Fuse3Binding(ops, lib);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static boolean onPath(String cmd) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, cmd))) {
                return true;
            }
        }
        return false;
    }
}
