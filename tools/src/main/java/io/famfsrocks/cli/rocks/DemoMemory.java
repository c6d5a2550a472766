package io.famfsrocks.cli.rocks;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Namespace;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import org.rocksdb.LiveFileMetaData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's memory phase and its figures: the live SSTs of the primary, the SST space famfs
 * allocated for the dataset (whole allocation units, obsolete SSTs included), all famfs files,
 * the publisher's counters at that moment, and for each host its RSS from
 * {@code /proc/PID/status} and its mount's page cache for the SST files ({@code fincore}
 * through the mount, run by the demo, never by the host serving it). An immutable record;
 * {@link #read} fills the hosts' {@link DemoHostFigures}, which are not thread-safe (the demo's
 * main thread runs it).
 */
record DemoMemory(int liveSsts, long liveBytes, long allocUnit, long sstAllocated, int sstFiles, long famfsAllocated,
                  long famfsFiles, PublisherMetrics publisher) {

    /** Reads the figures, and each host's RSS and (for a replica) its mount's page cache into {@code hosts}. */
    static DemoMemory read(List<LiveFileMetaData> live, FamfsVolume master, String dataset, DemoPrimary primary,
                           List<DemoHostFigures> hosts) {
        long liveBytes = 0;
        for (LiveFileMetaData m : live) {
            liveBytes += m.size();
        }
        long au = master.allocUnit();
        long sstAllocated = 0;
        List<String> sstPaths = new ArrayList<>();
        for (Node n : master.list(DatasetPaths.sstDir(dataset))) {
            if (n instanceof Node.File f) {
                sstAllocated += (f.size() + au - 1) / au * au;
                sstPaths.add(n.path());
            }
        }
        for (DemoHostFigures m : hosts) {
            m.rss = rss(m.host.pid());
            if (m.mount != null) {
                m.pageCache = pageCache(m.mount, sstPaths);
            }
        }
        PublisherMetrics pm = primary.metrics();
        Namespace ns = master.namespace();
        return new DemoMemory(live.size(), liveBytes, au, sstAllocated, sstPaths.size(), ns.allocatedBytes(),
                ns.fileBytes(), pm);
    }

    /** VmRSS, RssAnon, RssFile and RssShmem of a process, in bytes; null when /proc does not say. */
    static long[] rss(long pid) {
        long[] v = {-1, -1, -1, -1};
        String[] names = {"VmRSS:", "RssAnon:", "RssFile:", "RssShmem:"};
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                for (int i = 0; i < names.length; i++) {
                    if (l.startsWith(names[i])) {
                        v[i] = Long.parseLong(l.substring(names[i].length()).trim().split("\\s+")[0]) * 1024;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return v[0] < 0 ? null : v;
    }

    /**
     * Bytes of the mount's page cache holding these famfs files: {@code fincore} (mmap and
     * mincore) on each file through the mount. Run from the demo's JVM, which serves no mount.
     * -1 when fincore is missing or fails.
     */
    static long pageCache(Path mount, List<String> famfsPaths) {
        if (famfsPaths.isEmpty()) {
            return 0;
        }
        List<String> cmd = new ArrayList<>(List.of("fincore", "--bytes", "--noheadings", "--output", "RES"));
        for (String p : famfsPaths) {
            cmd.add(mount.resolve(p.startsWith("/") ? p.substring(1) : p).toString());
        }
        try {
            Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!pr.waitFor(60, TimeUnit.SECONDS)) {
                pr.destroyForcibly();
                return -1;
            }
            if (pr.exitValue() != 0) {
                return -1;
            }
            return sumLines(out, famfsPaths.size());
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The sum of fincore's one number per line; -1 unless there is one line per file. */
    private static long sumLines(String out, int files) {
        long sum = 0;
        int n = 0;
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                sum += Long.parseLong(l.trim());
                n++;
            }
        }
        return n == files ? sum : -1;
    }
}
