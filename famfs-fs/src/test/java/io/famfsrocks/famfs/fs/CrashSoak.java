package io.famfsrocks.famfs.fs;

/**
 * The long crash soak (a program): {@code scripts/bench famfs-fs CrashSoak [KILLS]}, 200
 * kills by default, on a 64 GiB sparse device. See docs/reliability.md.
 */
public final class CrashSoak {
    private CrashSoak() {}

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long t0 = System.nanoTime();
        CrashTest.soak(kills, 64L << 30);
        System.out.printf("crash soak took %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
