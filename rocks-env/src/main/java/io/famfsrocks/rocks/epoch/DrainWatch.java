package io.famfsrocks.rocks.epoch;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The primary's judgement of whether every replica has let go of a sealed epoch: it polls
 * the epoch's ack slots and says who still holds it. A slot stops holding the epoch when
 * <ul>
 *   <li>it was never written, or</li>
 *   <li>its host wrote, for this epoch, that it has released it, or</li>
 *   <li>its 64 bytes have not changed for a whole lease, measured by this process's
 *       monotonic clock from the first time it looked (the host is dead or paused; it
 *       checks the epoch before trusting anything it reads), or</li>
 *   <li>it carries another epoch's tag (a stray store by a host paused since an older
 *       epoch on this device: not a participant of this one).</li>
 * </ul>
 * Hosts' clocks are never compared: a lease is "no change seen for {@code lease}" here.
 * A slot that cannot be decoded but keeps changing counts as held (conservative).
 *
 * <p>Not thread-safe: the rotation thread polls.
 */
public final class DrainWatch {
    /** A slot that still holds the epoch, and why. */
    public record Pending(int slot, String why) {}

    /** {@code drained} when {@code pending} is empty. */
    public record Verdict(boolean drained, List<Pending> pending) {}

    private final EpochFile file;
    private final long epoch;
    private final long leaseNanos;
    private final LongSupplier clock;
    private final byte[][] last;
    private final long[] changedAt;

    public DrainWatch(EpochFile file, Duration lease, LongSupplier nanoClock) {
        this.file = Objects.requireNonNull(file);
        this.epoch = file.header().epoch();
        this.leaseNanos = lease.toNanos();
        this.clock = nanoClock;
        long now = clock.getAsLong();
        int n = file.slotCount();
        this.last = new byte[n][];
        this.changedAt = new long[n];
        for (int i = 0; i < n; i++) {
            last[i] = file.rawSlot(i);
            changedAt[i] = now;
        }
    }

    public DrainWatch(EpochFile file, Duration lease) {
        this(file, lease, System::nanoTime);
    }

    public long epoch() {
        return epoch;
    }

    /** Reads every slot once and judges. */
    public Verdict poll() {
        long now = clock.getAsLong();
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < last.length; i++) {
            byte[] raw = file.rawSlot(i);
            if (!Arrays.equals(raw, last[i])) {
                last[i] = raw;
                changedAt[i] = now;
            }
            AckSlot s;
            try {
                s = AckSlot.decode(ByteBuffer.wrap(raw), file.path() + " slot " + i);
                if (s == null) {
                    continue; // never written
                }
            } catch (RuntimeException tornOrGarbage) {
                s = null;
            }
            if (s != null && (s.epochTag() != epoch || s.hasReleased(epoch))) {
                continue;
            }
            if (now - changedAt[i] >= leaseNanos) {
                continue;
            }
            pending.add(new Pending(i, s == null ? "unreadable and still changing"
                    : "host " + s.host() + " serves epoch " + s.servingEpoch() + " (beat " + s.beat() + ")"));
        }
        return new Verdict(pending.isEmpty(), List.copyOf(pending));
    }
}
