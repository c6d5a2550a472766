package io.famfsrocks.cli.rocks;

import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaIterator;

import java.util.Arrays;

/**
 * Checks a replica's whole view against {@link WorkloadModel}: reads the counter the view
 * reflects, advances the model to it (never backwards), then compares every key by a full
 * scan. Not thread-safe.
 */
public final class ViewChecker {
    private final WorkloadModel model;

    public ViewChecker(int slots) {
        this.model = new WorkloadModel(slots);
    }

    /**
     * Returns the counter the view reflects; throws AssertionError describing the first
     * difference, or {@code StaleEpochException} when what was read came from an epoch whose
     * device was reused meanwhile (then nothing read counts, a difference neither).
     */
    public long check(FamfsReplica replica) {
        try (ReplicaIterator it = replica.newIterator()) {
            try {
                return check(it);
            } catch (AssertionError | RuntimeException e) {
                it.requireIntact();
                throw e;
            }
        }
    }

    private long check(ReplicaIterator it) {
        it.seek(WorkloadModel.COUNTER_KEY);
        long c = it.isValid() && Arrays.equals(it.key(), WorkloadModel.COUNTER_KEY)
                ? WorkloadModel.decodeCounter(it.value()) : 0;
        it.requireIntact(); // the counter moves the model, which never goes back: only a proven one
        if (c < model.counter()) {
            throw new AssertionError("view went backwards: counter " + c + " after " + model.counter());
        }
        model.advanceTo(c);
        int slot = 0;
        it.seekToFirst();
        int seen = 0;
        for (; it.isValid(); it.next()) {
            byte[] k = it.key();
            if (Arrays.equals(k, WorkloadModel.COUNTER_KEY)) {
                continue;
            }
            int s = Integer.parseInt(new String(k, 4, k.length - 4, java.nio.charset.StandardCharsets.US_ASCII));
            for (; slot < s; slot++) {
                if (model.expected(slot) != null) {
                    throw new AssertionError("at counter " + c + " key " + slot + " is missing");
                }
            }
            byte[] want = model.expected(s);
            if (want == null || !Arrays.equals(want, it.value())) {
                throw new AssertionError("at counter " + c + " key " + s + " is " + new String(it.value())
                        + ", expected " + (want == null ? "absent" : new String(want)));
            }
            slot = s + 1;
            seen++;
        }
        for (; slot < model.slots(); slot++) {
            if (model.expected(slot) != null) {
                throw new AssertionError("at counter " + c + " key " + slot + " is missing");
            }
        }
        it.requireIntact(); // keys and values of an epoch reused meanwhile are not the view (StaleEpochException)
        return c;
    }
}
