package io.famfsrocks.it;

import io.famfsrocks.cli.rocks.WorkloadModel;

import java.util.Arrays;

/**
 * What a replica of a {@link WorkloadModel} dataset may answer. A view whose counter key
 * reads {@code c} holds exactly the writes {@code i < c}; a replica's views only move
 * forward, so an answer given between two reads of the counter ({@code low}, then
 * {@code high}) must be the slot's value at some counter in {@code [low, high]}, byte for
 * byte, or absent where the model has it absent. Not thread-safe; counters must be asked in
 * non-decreasing order (the models only advance).
 */
public final class ModelAnswers {
    /** The 404 share may differ from the model's by this much (absolute, as a fraction of answers). */
    public static final double SHARE_TOLERANCE = 0.01;
    /** Fewest wrk answers for the share to be judged: the standard error is then below 0.2 points. */
    public static final long MIN_ANSWERS = 20_000;

    private final WorkloadModel atLow;
    private final WorkloadModel forShare;

    public ModelAnswers(int slots) {
        atLow = new WorkloadModel(slots);
        forShare = new WorkloadModel(slots);
    }

    /**
     * Null when {@code answer} (null for 404) is slot {@code slot}'s value at some counter in
     * {@code [low, high]}; else what was expected.
     */
    public String mismatch(int slot, byte[] answer, long low, long high) {
        atLow.advanceTo(low);
        byte[] want = atLow.expected(slot);
        if (Arrays.equals(want, answer)) {
            return null;
        }
        StringBuilder allowed = new StringBuilder(show(want));
        for (long i = low; i < high; i++) {
            if (atLow.slotOf(i) == slot) {
                byte[] v = WorkloadModel.isDelete(i) ? null : WorkloadModel.value(i);
                if (Arrays.equals(v, answer)) {
                    return null;
                }
                allowed.append(" or ").append(show(v));
            }
        }
        return "key-" + String.format("%08d", slot) + " answered " + show(answer) + " between counters " + low + " and "
                + high + "; expected " + allowed;
    }

    /** The share of the model's slots that are absent (404) at counter {@code c}. */
    public double absentShareAt(long c) {
        forShare.advanceTo(c);
        int absent = 0;
        for (int s = 0; s < forShare.slots(); s++) {
            if (forShare.expected(s) == null) {
                absent++;
            }
        }
        return (double) absent / forShare.slots();
    }

    private static String show(byte[] v) {
        return v == null ? "404" : "'" + new String(v, java.nio.charset.StandardCharsets.US_ASCII) + "'";
    }
}
