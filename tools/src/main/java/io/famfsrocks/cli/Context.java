package io.famfsrocks.cli;

import java.util.function.Supplier;

/**
 * What the commands need from the world outside the engine: the mount table and the
 * mount seam. Tests substitute both; {@link #system()} is the real thing. Immutable.
 */
public record Context(Supplier<MountTable> mounts, Mounter mounter) {
    public static Context system() {
        return new Context(MountTable::read, Mounter.fuseOrUnavailable());
    }

    public Context withMounts(Supplier<MountTable> m) {
        return new Context(m, mounter);
    }

    public Context withMounter(Mounter m) {
        return new Context(mounts, m);
    }
}
