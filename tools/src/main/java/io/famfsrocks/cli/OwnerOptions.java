package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.CreateOptions;
import picocli.CommandLine.Option;

/** {@code -m -u -g}: mode (octal), uid and gid (numeric) of what a verb creates. */
public final class OwnerOptions {
    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", converter = Sizes.ModeConverter.class,
            description = "Permission bits in octal (default: 0644 for new files, the source's for cp, 0755 for directories);"
                    + " creat and cp clear the umask's bits from it, as the reference does.")
    Integer mode;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", converter = Sizes.IdConverter.class,
            description = "Numeric owner (default: your effective uid).")
    Integer uid;

    @Option(names = {"-g", "--gid"}, paramLabel = "GID", converter = Sizes.IdConverter.class,
            description = "Numeric group (default: your effective gid).")
    Integer gid;

    /**
     * Applies the process umask to {@code -m}, as the reference does for {@code creat} and
     * {@code cp} (never for {@code mkdir}); returns the umask.
     */
    int maskMode(Verb verb) {
        int mask = verb.context.umask().getAsInt();
        if (mode != null) {
            mode &= ~mask;
        }
        return mask;
    }

    /** {@code base} with whatever was given; defaults to this process's uid/gid. */
    CreateOptions apply(CreateOptions base) {
        CreateOptions o = base.withOwner(uid != null ? uid : Verb.currentId("uid"),
                gid != null ? gid : Verb.currentId("gid"));
        return mode != null ? o.withMode(mode) : o;
    }

    /** Like {@link #apply}, with {@code defaultMode} when no -m was given. */
    CreateOptions apply(CreateOptions base, int defaultMode) {
        return apply(base.withMode(defaultMode));
    }
}
