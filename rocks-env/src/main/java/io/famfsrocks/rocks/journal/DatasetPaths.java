package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;

import java.util.regex.Pattern;

/**
 * Names inside a dataset directory (all relative to the volume root):
 * <pre>
 * &lt;dataset&gt;/journal.0000     version journal, chained to journal.0001, ...
 * &lt;dataset&gt;/sst/000123.sst   SST copies under the primary's file numbers
 * &lt;dataset&gt;/opt/OPTIONS-000007 the primary's OPTIONS files
 * &lt;dataset&gt;/wal.ring        the WAL ring: write batches not yet in a version ({@link WalFormat})
 * </pre>
 * Stateless.
 */
public final class DatasetPaths {
    /** famfs paths are at most 79 bytes; the longest name we add is "/opt/OPTIONS-" + 20 digits. */
    public static final int MAX_DATASET_LEN = 40;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private DatasetPaths() {}

    /**
     * The name, or BAD_NAME: up to {@link #MAX_DATASET_LEN} characters of [A-Za-z0-9._-] in
     * '/'-separated components, none of them "." or ".." (famfs refuses those; a dry run that
     * only checked the characters accepted names the real run then refused, issue 13 item 11).
     */
    public static String check(String dataset) {
        if (dataset == null || !NAME.matcher(dataset).matches() || dataset.length() > MAX_DATASET_LEN
                || ("/" + dataset + "/").contains("/./") || ("/" + dataset + "/").contains("/../")) {
            throw new BridgeException(ErrorKind.BAD_NAME, "bad dataset name '" + dataset
                    + "': use up to " + MAX_DATASET_LEN + " characters of [A-Za-z0-9._-] and '/', no '.' or '..' component");
        }
        return dataset;
    }

    public static String journal(String dataset, int index) {
        return dataset + "/" + journalName(index);
    }

    public static String journalName(int index) {
        return String.format("journal.%04d", index);
    }

    public static String walRing(String dataset) {
        return dataset + "/wal.ring";
    }

    public static String sstDir(String dataset) {
        return dataset + "/sst";
    }

    public static String sst(String dataset, long fileNumber) {
        return sstDir(dataset) + "/" + sstName(fileNumber);
    }

    public static String sstName(long fileNumber) {
        return String.format("%06d.sst", fileNumber);
    }

    public static String optionsDir(String dataset) {
        return dataset + "/opt";
    }

    public static String options(String dataset, String optionsName) {
        return optionsDir(dataset) + "/" + optionsName;
    }

    public static String manifestName(long number) {
        return String.format("MANIFEST-%06d", number);
    }

    /** RocksDB's CURRENT file content for a manifest. */
    public static String currentContent(long manifestNumber) {
        return manifestName(manifestNumber) + "\n";
    }

    /** The file number of "000123.sst" or "/000123.sst"; -1 if it is not an SST name. */
    public static long sstNumber(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        int slash = n.lastIndexOf('/');
        n = slash >= 0 ? n.substring(slash + 1) : n;
        if (!n.endsWith(".sst")) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring(0, n.length() - 4));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The number of "MANIFEST-000005" or "/MANIFEST-000005"; -1 otherwise. */
    public static long manifestNumber(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (!n.startsWith("MANIFEST-")) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring("MANIFEST-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
