package io.famfsrocks.it.bench;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.it.MountProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Cold and warm reads through client mounts, one per FUSE binding, against the same bytes
 * on tmpfs, all in one run, measured by fio (a reader in its own processes, never the
 * mount's server). Each mount is served by a {@code MountMain} JVM of another host, as a
 * replica's mount is. "Cold": the mount's page cache for the file is dropped first
 * ({@code posix_fadvise(DONTNEED)}, and fio's {@code invalidate=1}), and random reads never
 * read a block twice (fio's random map, 1/8 of the file per run), so every read crosses
 * FUSE; tmpfs has no colder state than resident memory. Prints each figure, the median of
 * {@code --reps}, the ratios the goals name, and the server's CPU time per cold
 * 4 KiB read (from {@code /proc/PID/stat}; less sensitive than rates to other load on the
 * machine). Usage: {@code FuseColdBench
 * [--file-mb 1024] [--reps 3] [--bindings jnr,fuse3]}. A program, not a test; not thread-safe.
 */
public final class FuseColdBench {
    private FuseColdBench() {}

    /** One fio figure: bandwidth in bytes/s and IOPS of the read side. */
    record Fio(double bytesPerSec, double iops) {}

    public static void main(String[] args) throws Exception {
        int fileMb = intArg(args, "--file-mb", 1024);
        int reps = intArg(args, "--reps", 3);
        List<String> bindings = List.of(strArg(args, "--bindings",
                Runtime.version().feature() >= 22 ? "jnr,fuse3" : "jnr").split(","));
        requireFio();
        String host = UUID.randomUUID().toString();
        Path work = Files.createTempDirectory(Path.of("/dev/shm"), "famfs-coldbench");
        Path device = Path.of("/dev/shm/famfs-coldbench-" + UUID.randomUUID() + ".dev");
        Path mnt = Files.createTempDirectory("famfs-coldbench-mnt");
        List<MountProcess> mounts = new ArrayList<>();
        try {
            Path base = work.resolve("bench.dat");
            writeRandom(base, (long) fileMb << 20);
            MemoryDevice.createFile(device, ((long) fileMb << 20) + (256L << 20));
            Mkfs.format(device, Mkfs.Options.defaults().withSystemUuid(host));
            try (MasterVolume mv = Famfs.openMaster(device, OpenOptions.defaults().withSystemUuid(host))) {
                mv.copyIn(base, "bench.dat", CreateOptions.file());
            }
            Map<String, Path> targets = new LinkedHashMap<>();
            Map<String, Long> pids = new LinkedHashMap<>();
            targets.put("tmpfs", base);
            for (String b : bindings) {
                MountProcess m = MountProcess.start(device, mnt.resolve(b), UUID.randomUUID().toString(),
                        work.resolve("daemon-" + b + ".log"), "--binding", b);
                mounts.add(m);
                targets.put(m.binding(), m.mountPoint().resolve("bench.dat"));
                pids.put(m.binding(), m.pid());
            }
            System.out.printf("FUSE cold-read bench (fio): %d MiB file, %d CPUs, %s, load before %s%n", fileMb,
                    Runtime.getRuntime().availableProcessors(), java.time.Instant.now(), loadAvg());
            run(targets, pids, (long) fileMb << 20, reps);
            System.out.printf("load after %s%n", loadAvg());
        } finally {
            for (MountProcess m : mounts) {
                m.close();
            }
            deleteTree(work);
            Files.deleteIfExists(device);
            deleteTree(mnt);
        }
    }

    private static void run(Map<String, Path> targets, Map<String, Long> pids, long size, int reps) throws Exception {
        for (Path p : targets.values()) { // the daemons' JIT: "cold" is to mean the page cache, not the code
            FuseBench.drop(p);
            seq(p, true);
            rand(p, size, 1, true);
        }
        Map<String, double[]> r = new LinkedHashMap<>();
        for (var e : targets.entrySet()) {
            Path p = e.getValue();
            double[] seqCold = new double[reps];
            double[] rand1 = new double[reps];
            double[] rand4 = new double[reps];
            double[] seqWarm = new double[reps];
            double[] randWarm = new double[reps];
            double[] cpuPerRead = new double[reps];
            Long pid = pids.get(e.getKey());
            for (int i = 0; i < reps; i++) {
                FuseBench.drop(p);
                seqCold[i] = seq(p, true).bytesPerSec();
                FuseBench.drop(p);
                long cpu0 = pid == null ? 0 : cpuMicros(pid);
                rand1[i] = rand(p, size, 1, true).iops();
                cpuPerRead[i] = pid == null ? 0 : (double) (cpuMicros(pid) - cpu0) / (size / 8 / 4096);
                FuseBench.drop(p);
                rand4[i] = rand(p, size, 4, true).iops();
            }
            seq(p, false); // the whole file into the page cache
            for (int i = 0; i < reps; i++) {
                seqWarm[i] = seq(p, false).bytesPerSec();
                randWarm[i] = rand(p, size, 1, false).iops();
            }
            r.put(e.getKey(), new double[] {median(seqCold), median(rand1), median(rand4), median(seqWarm),
                    median(randWarm), median(cpuPerRead)});
        }
        double[] t = r.get("tmpfs");
        System.out.println("| figure | " + String.join(" | ", r.keySet()) + " |");
        System.out.println("|---|" + "---|".repeat(r.size()));
        String[] names = {"sequential 1 MiB reads, cold, GB/s", "random 4 KiB, 1 reader, cold, k IOPS",
            "random 4 KiB, 4 readers, cold, k IOPS", "sequential 1 MiB reads, warm, GB/s", "random 4 KiB, 1 reader, warm, k IOPS"};
        for (int f = 0; f < names.length; f++) {
            StringBuilder sb = new StringBuilder("| " + names[f] + " |");
            for (double[] v : r.values()) {
                double x = v[f];
                sb.append(f == 0 || f == 3 ? String.format(" %.2f", x / 1e9) : String.format(" %.1f", x / 1e3));
                if (v != t) {
                    sb.append(String.format(" (%.2f of tmpfs)", x / t[f]));
                }
                sb.append(" |");
            }
            System.out.println(sb);
        }
        for (var e : r.entrySet()) {
            if (e.getValue() != t) {
                double[] v = e.getValue();
                System.out.printf("%s: cold seq %.2f of tmpfs (goal >= 0.5); cold random 4 readers %.2fx 1 reader"
                                + " (goal >= 3), %.0fk IOPS (goal >= 100k); warm seq %.2f, warm random %.2f of tmpfs"
                                + " (goal >= 0.95); server CPU %.1f us per cold 4 KiB read%n", e.getKey(), v[0] / t[0],
                        v[2] / v[1], v[2] / 1e3, v[3] / t[3], v[4] / t[4], v[5]);
            }
        }
    }

    /** User + system CPU time of a process so far (from /proc, in clock ticks of 10 ms). */
    private static long cpuMicros(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000; // fields 14 and 15 of stat(5)
    }

    private static Fio seq(Path p, boolean cold) throws Exception {
        return fio(p, "--rw=read", "--bs=1M", "--numjobs=1", "--invalidate=" + (cold ? 1 : 0));
    }

    /**
     * Random 4 KiB preads, {@code jobs} readers each on its own slice of the file, each reading
     * 1/8 of the file with fio's random map (no block twice), so cold reads stay cold.
     */
    private static Fio rand(Path p, long size, int jobs, boolean cold) throws Exception {
        long slice = size / jobs;
        return fio(p, "--rw=randread", "--bs=4k", "--numjobs=" + jobs, "--size=" + slice,
                "--offset_increment=" + slice, "--io_size=" + size / 8 / jobs, "--invalidate=" + (cold ? 1 : 0));
    }

    private static Fio fio(Path p, String... job) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("fio", "--name=r", "--filename=" + p, "--ioengine=psync",
                "--readonly", "--group_reporting", "--output-format=terse", "--terse-version=3"));
        cmd.addAll(Arrays.asList(job));
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (pr.waitFor() != 0) {
            throw new IOException("fio failed: " + out);
        }
        // terse v3: 1 version; 2 fio; 3 name; 4 group; 5 error; 6 read KiB; 7 read KiB/s; 8 read IOPS
        String line = out.lines().filter(l -> l.startsWith("3;")).reduce((a, b) -> b)
                .orElseThrow(() -> new IOException("no fio result in: " + out));
        String[] f = line.split(";");
        return new Fio(Double.parseDouble(f[6]) * 1024, Double.parseDouble(f[7]));
    }

    private static void requireFio() throws Exception {
        try {
            new ProcessBuilder("fio", "--version").redirectErrorStream(true).start().waitFor();
        } catch (IOException e) {
            System.err.println("FuseColdBench needs fio (scripts/install-deps installs it)");
            System.exit(2);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void writeRandom(Path p, long size) throws IOException {
        byte[] buf = new byte[1 << 20];
        Random rnd = new Random(42);
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long done = 0; done < size; done += buf.length) {
                rnd.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
    }

    private static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " "
                    + Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[1];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int intArg(String[] args, String name, int def) {
        return Integer.parseInt(strArg(args, name, Integer.toString(def)));
    }

    private static String strArg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }
}
