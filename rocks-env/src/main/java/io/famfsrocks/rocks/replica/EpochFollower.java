package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.PoolDevice;
import io.famfsrocks.famfs.pool.PoolException;
import io.famfsrocks.famfs.pool.VolumeId;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.epoch.AckSlot;
import io.famfsrocks.rocks.epoch.AckSlotWriter;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochGuard;
import io.famfsrocks.rocks.epoch.EpochHeader;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.epoch.SealRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * The replica's side of epoch rotation (docs/epochs.md, "Replica host h, slot i"), run by
 * the follower thread between journal polls:
 * <ul>
 *   <li>SERVING(e): each {@link #step} reads e's seal, then runs e's epoch check;</li>
 *   <li>OPENING(e+1): on a seal, finds the named volume UUID among this host's device
 *       paths, opens it read-only, checks its header (epoch e+1, previous = e's volume, the
 *       pool id), opens this host's ack slot there (a slot another host owns is refused
 *       here, before any switch), mounts it, and builds and verifies a secondary at its
 *       newest version; e keeps serving meanwhile, and a failure is retried;</li>
 *   <li>SWITCHED: the replica's current instance becomes e+1's in one volatile store; the
 *       heartbeat says serving e+1 in both slots;</li>
 *   <li>RELEASED(e): once the last read or iterator on e's instances ended (their reference
 *       counts), e is unmounted, the last beat in e's slot says {@code releasedThrough = e},
 *       the slot is unmapped and e's volume closed. From then on this host never touches e.</li>
 * </ul>
 * A serving epoch whose check fails (its device was reused while this host was paused past
 * its lease) is left for the pool's active epoch, read from the devices ({@link #recover}).
 * Volumes are recognised by famfs UUID: paths may differ from host to host.
 *
 * <p>Not thread-safe: the follower thread only; {@link #rotations()} may be read anywhere.
 */
final class EpochFollower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EpochFollower.class.getName());

    /** An epoch opened but not yet serving, with this host's slot writer in it. */
    private record Opened(EpochVolume ev, AckSlotWriter writer) {}

    private final FamfsReplica replica;
    private final List<Path> devices;
    private final OpenOptions opts;
    private final String dataset;
    private final EpochMounts mounts;
    private final Path workRoot;
    private final ReplicaConfig cfg;
    private final Heartbeat heartbeat;
    private final UUID host;
    private UUID poolId;
    private int slot;
    private Opened next;
    private final List<EpochVolume> releasing = new ArrayList<>();
    private volatile long rotations;
    private volatile long recoveries;

    EpochFollower(FamfsReplica replica, List<Path> devices, OpenOptions opts, String dataset, EpochMounts mounts,
                  Path workRoot, ReplicaConfig cfg, UUID host) {
        this.replica = replica;
        this.devices = List.copyOf(devices);
        this.opts = opts;
        this.dataset = dataset;
        this.mounts = mounts;
        this.workRoot = workRoot;
        this.cfg = cfg;
        this.host = host;
        this.slot = cfg.slot();
        this.heartbeat = new Heartbeat(dataset, cfg.beatInterval());
    }

    /** Epoch switches this replica made (rotations followed, and jumps after a stale epoch). */
    long rotations() {
        return rotations;
    }

    /** Switches made because the serving epoch's device had been reused (the host was paused past its lease). */
    long recoveries() {
        return recoveries;
    }

    /** This host's ack slot index (-1 before the first epoch was opened). */
    int slot() {
        return slot;
    }

    /** The pool's active epoch now, opened (not yet serving): the first epoch a replica serves. */
    EpochVolume openActive() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            EpochPool p;
            try {
                p = EpochPool.read(DevicePool.scan(devices, opts), dataset, poolId);
            } catch (PoolException e) {
                if (!tornByRotation(e)) {
                    throw e;
                }
                // the scan reads the devices one after the other: a rotation that formatted one
                // and sealed the other in between reads as a broken chain; read again
                last = e;
                pause(attempt);
                continue;
            }
            EpochPool.Member a = p.active().orElseThrow(() -> new BridgeException(ErrorKind.NOT_FOUND, "no epoch of "
                    + "dataset " + dataset + " on the pool " + devices + " (publish one with sst-publish)"));
            poolId = p.poolId();
            try {
                Opened o = open(a.device(), 0, null);
                heartbeat.releasedThrough(o.ev.epoch - 1);
                heartbeat.serving(o.ev.epoch);
                heartbeat.add(o.writer);
                heartbeat.start();
                return o.ev;
            } catch (RuntimeException e) {
                boolean busy = e instanceof BridgeException b && b.kind() == ErrorKind.BUSY;
                if (!busy && !reusedSince(a.device())) {
                    throw e;
                }
                // a rotation reused the device between the reading and the open (it then reads as
                // blank, not famfs, a corrupt log or a failed mount): read the pool again
                last = e;
                pause(attempt);
            }
        }
        throw last;
    }

    /** Whether {@code d} no longer holds the volume the reading found on it. */
    private boolean reusedSince(PoolDevice d) {
        try {
            return !java.util.Objects.equals(DevicePool.inspect(d.path(), opts).fsUuid(), d.fsUuid());
        } catch (RuntimeException e) {
            return true; // mid-format
        }
    }

    /** What a reading of the pool taken across a rotation's steps can look like; a real break stays. */
    private static boolean tornByRotation(PoolException e) {
        return switch (e.reason()) {
            case BROKEN_CHAIN, TWO_ACTIVE_EPOCHS, DEVICE_CHANGED -> true;
            default -> false;
        };
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(10L * (attempt + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new BridgeException(ErrorKind.BUSY, "interrupted while reading the pool");
        }
    }

    /**
     * One step of the state machine for the serving epoch {@code s}: finishes releases, reads
     * the seal, opens the next epoch, switches once it verified.
     */
    void step(EpochVolume s) throws IOException {
        finishReleases();
        if (s.control == null) {
            return;
        }
        if (next == null) {
            SealRecord seal = s.control.seal();
            s.guard.requireIntact("reading the seal of " + s.describe());
            if (seal == null) {
                return;
            }
            PoolDevice d = DevicePool.scan(devices, opts).byFsUuid(seal.nextVolumeUuid())
                    .orElseThrow(() -> new BridgeException(ErrorKind.NOT_FOUND, s.describe() + " is sealed towards "
                            + "epoch " + seal.nextEpoch() + " on volume " + seal.nextVolumeUuid()
                            + ", which none of this host's devices " + devices + " holds"));
            next = open(d, seal.nextEpoch(), s.guard.expected());
            heartbeat.add(next.writer); // beats there now (still serving e), before any switch
            LOG.log(System.Logger.Level.INFO, "replica of {0}: epoch {1} sealed, opening {2}", dataset, s.epoch,
                    next.ev.describe());
        }
        SecondaryInstance fresh = replica.buildInstance(next.ev);
        if (fresh == null) {
            return; // its journal has no version yet
        }
        Opened o = next;
        next = null;
        SecondaryInstance old = replica.switchEpoch(fresh);
        heartbeat.serving(o.ev.epoch);
        rotations++;
        if (old != null) {
            releasing.add(old.epoch);
            old.release(); // the replica's own reference; readers still on it keep theirs
        }
        finishReleases();
    }

    /**
     * The serving epoch {@code s} failed its check: its device was reused. Opens the pool's
     * active epoch instead (a later {@link #step} builds and switches to it); reads on
     * {@code s} fail their checks meanwhile, never answer.
     */
    void recover(EpochVolume s) {
        if (next != null) {
            if (next.ev.guard.intact()) {
                return; // already opening a newer epoch
            }
            abandonNext();
        }
        EpochPool p = EpochPool.read(DevicePool.scan(devices, opts), dataset, poolId);
        EpochPool.Member a = p.active().orElseThrow(() -> new BridgeException(ErrorKind.NOT_FOUND, "no active epoch of "
                + dataset + " on the pool " + devices));
        if (a.epoch() <= s.epoch) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, s.describe() + " was reused but the pool's active epoch "
                    + "is " + a.epoch() + " on " + a.device());
        }
        next = open(a.device(), 0, null);
        heartbeat.add(next.writer);
        recoveries++;
        LOG.log(System.Logger.Level.WARNING, "replica of {0}: {1} was reused (this host was paused past its lease); "
                + "moving to {2}", dataset, s.describe(), next.ev.describe());
    }

    /** Epochs switched away from whose instances have all closed: unmount, last beat, close. */
    private void finishReleases() {
        for (Iterator<EpochVolume> it = releasing.iterator(); it.hasNext(); ) {
            EpochVolume ev = it.next();
            if (ev.liveInstances.get() > 0) {
                continue;
            }
            it.remove();
            ev.unmount();
            boolean beat = heartbeat.released(ev.epoch); // before the volume closes: the writer checks through it
            ev.close();
            LOG.log(System.Logger.Level.INFO, "replica of {0}: released {1}{2}", dataset, ev.describe(),
                    beat ? "" : " (its device was reused: no last beat)");
        }
    }

    /**
     * Opens the epoch on {@code d}: the volume (read-only), its control file and header,
     * this host's slot (first beat written), the mount and the holder. Everything opened is
     * closed again on failure.
     *
     * @param expectEpoch  the epoch the seal named (0: any newer one, after a reused device)
     * @param expectPrev   the volume the header must name as the previous epoch's (null: not checked)
     */
    private Opened open(PoolDevice d, long expectEpoch, UUID expectPrev) {
        FamfsVolume v = Famfs.openReadOnly(d.path(), opts);
        AckSlotWriter w = null;
        EpochMounts.Mounted m = null;
        EpochVolume ev = null;
        try {
            if (!VolumeId.of(v).equals(d.fsUuid())) {
                throw new BridgeException(ErrorKind.BUSY, "device " + d.path() + " now holds volume " + VolumeId.of(v)
                        + ", not " + d.fsUuid() + " (rotated meanwhile)");
            }
            v.requireCompleteLog("open an epoch of " + dataset + " on");
            EpochGuard guard = EpochGuard.of(v);
            EpochFile f = EpochFile.open(v, dataset);
            if (f == null || !f.ready()) {
                throw new BridgeException(ErrorKind.NOT_FOUND, VolumeId.describe(v) + " holds no epoch of " + dataset);
            }
            EpochHeader h = f.header();
            guard.requireIntact("reading the epoch header on " + VolumeId.describe(v));
            String bad = null;
            if (!h.volumeUuid().equals(d.fsUuid()) || !h.dataset().equals(dataset)) {
                bad = "names volume " + h.volumeUuid() + " and dataset " + h.dataset();
            } else if (poolId != null && !h.poolId().equals(poolId)) {
                bad = "belongs to pool " + h.poolId() + ", not " + poolId;
            } else if (expectEpoch > 0 && h.epoch() != expectEpoch) {
                bad = "holds epoch " + h.epoch() + ", the seal names epoch " + expectEpoch;
            } else if (expectPrev != null && !h.previousVolumeUuid().equals(expectPrev)) {
                bad = "follows volume " + h.previousVolumeUuid() + ", not " + expectPrev;
            }
            if (bad != null) {
                throw new BridgeException(ErrorKind.CORRUPT_MEDIA, f.path() + " on " + VolumeId.describe(v) + " " + bad);
            }
            poolId = h.poolId();
            // The slot first: a slot another host owns is refused before anything is mounted or switched.
            w = AckSlotWriter.open(d.path(), f, guard, host, slotIn(f, h.epoch()));
            EpochVolume[] box = new EpochVolume[1];
            m = mounts.mount(v, () -> {
                EpochVolume e = box[0];
                if (e != null) {
                    e.remounted = true;
                }
            });
            ev = new EpochVolume(h.epoch(), v, true, f, dataset, m.files(), m, workRoot.resolve("epoch-" + h.epoch()));
            box[0] = ev;
            return new Opened(ev, w);
        } catch (IOException e) {
            closeQuietly(w, m, ev, v);
            throw new BridgeException(ErrorKind.IO, "cannot prepare the work directory of " + dataset + " in "
                    + workRoot + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(w, m, ev, v);
            throw e;
        }
    }

    private static void closeQuietly(AckSlotWriter w, EpochMounts.Mounted m, EpochVolume ev, FamfsVolume v) {
        if (w != null) {
            w.close();
        }
        if (ev != null) {
            ev.close();
            return;
        }
        if (m != null) {
            m.close();
        }
        v.close();
    }

    /**
     * This host's slot: the configured one, or the one derived in an earlier epoch, else
     * the first from {@code hash(host) mod slots} on that no other host wrote for this epoch.
     */
    private int slotIn(EpochFile f, long epoch) {
        if (slot >= 0) {
            if (slot >= f.slotCount()) {
                throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "replica slot " + slot + " is outside 0.."
                        + (f.slotCount() - 1) + " of " + f.path());
            }
            return slot;
        }
        int n = f.slotCount();
        int start = Math.floorMod(host.hashCode(), n);
        for (int i = 0; i < n; i++) {
            int idx = (start + i) % n;
            AckSlot a;
            try {
                a = f.slot(idx);
            } catch (BridgeException unreadable) {
                continue; // someone's line that keeps changing or is damaged: not ours to take
            }
            if (a == null || a.host().equals(host) || a.epochTag() != epoch) {
                slot = idx;
                return idx;
            }
        }
        throw new BridgeException(ErrorKind.BUSY, "all " + n + " ack slots of " + f.path() + " belong to other hosts; "
                + "give this host a slot with --replica-slot");
    }

    private void abandonNext() {
        Opened o = next;
        next = null;
        if (o != null) {
            heartbeat.drop(o.ev.epoch);
            o.ev.close();
        }
    }

    /**
     * For a replica that closes (its instances released): abandons the epoch being opened,
     * then lets go of every epoch it holds, oldest first, as a release does: once the
     * epoch's last reader ended (waited for up to 10 s), unmount, last beat ({@code
     * releasedThrough = e}, so a later drain of it needs no lease), then the heartbeat stops
     * and the volumes close. An epoch whose reader did not end gets no last beat: its lease
     * expires instead.
     */
    void close(EpochVolume serving) {
        abandonNext();
        List<EpochVolume> held = new ArrayList<>(releasing);
        if (serving != null && !held.contains(serving)) {
            held.add(serving);
        }
        held.sort(java.util.Comparator.comparingLong(ev -> ev.epoch));
        for (EpochVolume ev : held) {
            if (ev.awaitNoInstances(10_000)) {
                ev.unmount();
                heartbeat.released(ev.epoch);
            }
        }
        heartbeat.close(); // before any volume closes: its writers check through them
        for (EpochVolume ev : held) {
            ev.close();
        }
        releasing.clear();
    }

    /** {@link #close(EpochVolume)} for a replica that never served. */
    @Override
    public void close() {
        close(null);
    }
}
