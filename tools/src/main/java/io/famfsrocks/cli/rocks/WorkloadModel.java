package io.famfsrocks.cli.rocks;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A deterministic workload whose state is a function of a write counter, so a replica can
 * check its whole view against what the primary had written. Write {@code i} goes to slot
 * {@code (i * 7919) mod slots}: a delete when {@code i % 11 == 0}, else the value
 * {@code "v" + i}. Every batch also stores the counter under {@link #COUNTER_KEY}, in the same
 * atomic WriteBatch, so any flushed state names the counter it reflects. Not thread-safe.
 *
 * <p>The {@code demo}'s workload, so it lives with the demo; the end-to-end tests (it-tests)
 * write and check the same workload through this one class.
 */
public final class WorkloadModel {
    public static final byte[] COUNTER_KEY = "__counter".getBytes(StandardCharsets.US_ASCII);

    private final int slots;
    private final long[] lastWrite;
    private long counter;

    public WorkloadModel(int slots) {
        this.slots = slots;
        this.lastWrite = new long[slots];
        Arrays.fill(lastWrite, -1);
    }

    public long counter() {
        return counter;
    }

    public int slots() {
        return slots;
    }

    public static byte[] key(int slot) {
        return String.format("key-%08d", slot).getBytes(StandardCharsets.US_ASCII);
    }

    public int slotOf(long i) {
        return (int) ((i * 7919L) % slots);
    }

    public static boolean isDelete(long i) {
        return i % 11 == 0;
    }

    public static byte[] value(long i) {
        return ("v" + i + "-".repeat((int) (i % 17))).getBytes(StandardCharsets.US_ASCII);
    }

    /** Adds the next {@code n} writes (and the counter) to {@code batch} and advances the model. */
    public void nextBatch(WriteBatch batch, int n) throws RocksDBException {
        for (int k = 0; k < n; k++) {
            long i = counter++;
            int s = slotOf(i);
            lastWrite[s] = i;
            if (isDelete(i)) {
                batch.delete(key(s));
            } else {
                batch.put(key(s), value(i));
            }
        }
        batch.put(COUNTER_KEY, encodeCounter(counter));
    }

    /** Advances the model without writing (to follow a primary or to resume one). */
    public void advanceTo(long c) {
        if (c < counter) {
            throw new IllegalArgumentException("model at " + counter + " cannot go back to " + c);
        }
        for (long i = counter; i < c; i++) {
            lastWrite[slotOf(i)] = i;
        }
        counter = c;
    }

    /** The expected value of a slot at the model's counter, or null if absent. */
    public byte[] expected(int slot) {
        long i = lastWrite[slot];
        return i < 0 || isDelete(i) ? null : value(i);
    }

    public static byte[] encodeCounter(long c) {
        return Long.toString(c).getBytes(StandardCharsets.US_ASCII);
    }

    public static long decodeCounter(byte[] b) {
        return b == null ? 0 : Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }
}
