package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.fs.VolumeUsage;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.FirstFile;
import io.famfsrocks.famfs.pool.PoolDevice;
import io.famfsrocks.famfs.pool.PoolException;
import io.famfsrocks.famfs.pool.VolumeId;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.epoch.DrainWatch;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochHeader;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.epoch.SealRecord;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.JournalWriter;
import io.famfsrocks.rocks.journal.SstEntry;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A publisher's epochs over a pool of devices (docs/epochs.md): which volume is active,
 * when to start the next epoch, the rotation itself, and the drain of the sealed epoch.
 * Owned by {@link FamfsPublisher} and driven from its thread between publications, so a
 * rotation never races a publication.
 *
 * <p>A rotation of epoch e into e+1: rule R (no epoch is draining), {@code pickFree} and
 * {@link DevicePool#format} with e's log length, {@link EpochFile#create}, the repack (the
 * DB's current version copied whole into e+1 and its first journal record written there,
 * version numbers continuing: {@link Repack}), the seal of e (the commit point), then the
 * publisher swaps to e+1's writer; a {@link DrainWatch} on e is polled once per loop until
 * every ack slot is released or silent for a lease (or the maximum drain passed), then
 * {@link EpochFile#markDrained} and e's volume is closed. On open it reads the pool
 * ({@link EpochPool}) and acts on the roles as the crash table says: an ABANDONED epoch
 * (a rotation that stopped before its seal) is rolled back by being reformatted by the next
 * rotation; a DRAINING one gets a new watch, which waits one lease for silent slots.
 *
 * <p>Confined to the publisher thread, except {@link #metrics} and {@link #close}
 * (this object's monitor guards the volumes they touch).
 */
final class EpochRotation implements AutoCloseable {
    /** Crash points (docs/reliability.md, "Fault points"): a free device formatted for the next epoch, no control file yet. */
    public static final FaultPoint FORMATTED = FaultPoint.named("rotation.formatted");
    /** The next epoch's control file created and its header published; nothing repacked yet. */
    public static final FaultPoint CONTROL_CREATED = FaultPoint.named("rotation.control-created");
    /** The repack done: the next epoch's journal holds its first version; the active epoch not sealed. */
    public static final FaultPoint REPACKED = FaultPoint.named("rotation.repacked");
    /** The active epoch sealed towards the next; the publisher has not swapped to it. */
    public static final FaultPoint SEALED = FaultPoint.named("rotation.sealed");
    /** The sealed epoch marked drained; its volume not closed yet. */
    public static final FaultPoint DRAINED = FaultPoint.named("rotation.drained");

    /** An epoch this publisher holds open as master. */
    private record Epoch(MasterVolume volume, EpochFile file, EpochHeader header, PoolDevice device) {
        UUID uuid() {
            return header.volumeUuid();
        }
    }

    /**
     * What the publisher writes into from now on; {@code record} counts the rotation in the
     * statistics, called by the publisher together with the swap (so no reader of its metrics
     * sees the rotation counted and the old journal's version).
     */
    record Swap(MasterVolume volume, SstCopier copier, JournalWriter journal, Runnable record) {}

    /** The reason of a rotation an operator asked for through the control file ({@code rotate}). */
    static final String OPERATOR_REQUEST = "requested by the rotate verb";

    private final List<Path> paths;
    private final OpenOptions opts;
    private final String dataset;
    private final PublisherConfig.Rotation cfg;
    private final PublisherStats stats;
    private final long poolCapacity;
    private UUID poolId;
    private Epoch active;
    private Epoch draining;
    private DrainWatch watch;
    private long drainStartNanos;
    private volatile boolean requested;
    /** Why the last rotation the thresholds asked for did not run (for warnings), or null. */
    private String held;

    private EpochRotation(List<Path> paths, OpenOptions opts, String dataset, PublisherConfig.Rotation cfg,
                          PublisherStats stats, long poolCapacity) {
        this.paths = List.copyOf(paths);
        this.opts = opts;
        this.dataset = dataset;
        this.cfg = cfg;
        this.stats = stats;
        this.poolCapacity = poolCapacity;
    }

    /**
     * Reads the pool and takes up its state: a new pool gets epoch 1 on a free device; an
     * active epoch is opened; a draining one is watched again; an abandoned one is left for
     * the next rotation to reformat.
     *
     * @throws PoolException when the devices cannot be this dataset's pool (the reasons of
     *         {@link DevicePool#scan} and {@link EpochPool#read})
     */
    static EpochRotation open(List<Path> paths, OpenOptions opts, String dataset, PublisherConfig.Rotation cfg,
                              PublisherStats stats) {
        DevicePool devices = DevicePool.scan(paths, opts);
        EpochPool pool = EpochPool.read(devices, dataset, null);
        long capacity = devices.devices().stream().mapToLong(PoolDevice::size).sum();
        EpochRotation r = new EpochRotation(paths, opts, dataset, cfg, stats, capacity);
        r.poolId = pool.poolId();
        try {
            if (pool.active().isEmpty()) {
                r.poolId = UUID.randomUUID();
                r.active = r.create(devices, pool.pickFree(), 1, EpochHeader.NIL, Mkfs.Options.defaults().logLen());
            } else {
                r.active = r.openEpoch(pool.active().get());
            }
            if (pool.draining().isPresent()) {
                r.startDrain(r.openEpoch(pool.draining().get()));
            }
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        stats.epoch(r.active.header.epoch());
        return r;
    }

    /** The active epoch's volume: the publisher's journal and SSTs go there. */
    MasterVolume volume() {
        return active.volume;
    }

    synchronized long epoch() {
        return active.header.epoch();
    }

    boolean draining() {
        return draining != null;
    }

    /** Asks for a rotation at the next loop of the publisher thread (after a drain in progress). */
    void request() {
        requested = true;
    }

    /**
     * Why a rotation should run now, or null: a request, or the active volume's space or log
     * entries past their thresholds. Never while an epoch drains (rule R). A threshold
     * rotation that would not bring the volume back under its thresholds (the live SSTs
     * alone are too large) is held, with a warning, rather than repeated forever.
     */
    String due(VolumeUsage u, JournalRecord.Version last, long allocUnit, long reserve) {
        if (draining != null) {
            return null;
        }
        if (requested) {
            return "requested";
        }
        if (active.file.rotationRequested()) {
            return OPERATOR_REQUEST;
        }
        String why = null;
        if (u.dataUsedBytes() >= cfg.usedFraction() * u.dataCapacity()) {
            why = String.format("space: %d of %d data bytes in use", u.dataUsedBytes(), u.dataCapacity());
        } else if (u.logSlotsUsed() >= cfg.logFraction() * u.logSlots()) {
            why = String.format("log: %d of %d entries used", u.logSlotsUsed(), u.logSlots());
        }
        if (why == null) {
            held = null;
            return null;
        }
        long live = liveAllocated(last, allocUnit) + reserve + allocUnit;
        if (live >= cfg.usedFraction() * u.dataCapacity()) {
            held = String.format("epoch rotation held: the live SSTs need %d of the %d data bytes a new epoch has, "
                    + "past the %.2f threshold (%s)", live, u.dataCapacity(), cfg.usedFraction(), why);
            return null;
        }
        held = null;
        return why;
    }

    /** A warning line while a due rotation is held, or null. */
    String held() {
        return held;
    }

    /** Whether a rotation can start now (for a version that does not fit the active volume). */
    boolean canRotate() {
        return draining == null;
    }

    private static long liveAllocated(JournalRecord.Version last, long au) {
        long n = 0;
        if (last != null) {
            for (SstEntry s : last.ssts()) {
                n += SpaceBudget.allocated(s.size(), au);
            }
        }
        return n;
    }

    /**
     * Rotates: a new epoch on a free device, the DB's current version repacked into it
     * ({@code repack}), the seal of the active epoch, and the drain of it begun. On a
     * failure before the seal nothing was told of the new epoch: its volume is closed and
     * it reads ABANDONED, reformatted by the next rotation; the active epoch is unchanged.
     */
    Swap rotate(Repack repack, JournalWriter oldJournal, String why) throws Exception {
        if (draining != null) {
            throw new IllegalStateException("epoch " + draining.header.epoch() + " still drains");
        }
        requested = false;
        long t0 = System.nanoTime();
        DevicePool devices = DevicePool.scan(paths, opts);
        EpochPool pool = EpochPool.read(devices, dataset, poolId);
        EpochPool.Member act = pool.active().orElseThrow(() -> new PoolException(PoolException.Reason.BROKEN_CHAIN,
                "the pool has no active epoch of " + dataset + " any more"));
        if (!act.device().fsUuid().equals(active.uuid())) {
            throw new PoolException(PoolException.Reason.DEVICE_CHANGED, "the active epoch of " + dataset + " is now on "
                    + act.device() + ", not on " + active.device + "; another primary?");
        }
        PoolDevice target = pool.pickFree();
        Epoch next = create(devices, target, active.header.epoch() + 1, active.uuid(), active.volume.logLength());
        Repack.Result done;
        try {
            done = repack.into(next.volume, oldJournal);
            REPACKED.hit();
            long lastHere = oldJournal.lastVersion() == null ? 0 : oldJournal.lastVersion().version();
            active.file.writeSeal(new SealRecord(next.header.epoch(), next.uuid(), lastHere, System.currentTimeMillis()));
        } catch (Exception | Error e) {
            next.volume.close();
            throw e;
        }
        SEALED.hit();
        Epoch old = active;
        synchronized (this) {
            active = next;
        }
        startDrain(old);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.printf("famfs-publisher: dataset %s rotated to epoch %d on %s (%s): %d bytes repacked in %d ms%n",
                dataset, next.header.epoch(), target.path(), why, done.bytes(), ms);
        return new Swap(next.volume, done.copier(), done.journal(), () -> stats.rotated(next.header.epoch(),
                done.bytes(), done.liveBytes(), ms));
    }

    /**
     * Polls the draining epoch's ack slots once; once drained (or past the maximum drain)
     * marks it drained and closes its volume: its device is reusable.
     */
    void pollDrain() {
        if (draining == null) {
            return;
        }
        DrainWatch.Verdict v = watch.poll();
        long waited = System.nanoTime() - drainStartNanos;
        if (!v.drained() && waited < cfg.maxDrain().toNanos()) {
            return;
        }
        if (!v.drained()) {
            System.err.println("famfs-publisher: epoch " + draining.header.epoch() + " of " + dataset + " still held after "
                    + cfg.maxDrain().toMillis() + " ms by " + v.pending() + "; marking it drained (those hosts' reads of "
                    + "the reused device will fail their epoch check)");
        }
        draining.file.markDrained();
        DRAINED.hit();
        stats.drained(waited / 1_000_000);
        synchronized (this) {
            draining.volume.close();
            draining = null;
            watch = null;
        }
    }

    private void startDrain(Epoch sealed) {
        synchronized (this) {
            draining = sealed;
        }
        watch = new DrainWatch(sealed.file, cfg.lease());
        drainStartNanos = System.nanoTime();
    }

    /** Formats {@code device} and creates epoch {@code n}'s control file there; returns it open as master. */
    private Epoch create(DevicePool devices, PoolDevice device, long n, UUID previous, long logLen) {
        devices.format(device, Mkfs.Options.defaults().withLogLen(logLen).withVersion(opts.version())
                .withSystemUuid(opts.systemUuid()));
        FORMATTED.hit();
        PoolDevice now = DevicePool.inspect(device.path(), opts);
        MasterVolume v = Famfs.openMaster(device.path(), opts);
        try {
            UUID uuid = VolumeId.of(v);
            if (now.fsUuid() == null || !now.fsUuid().equals(uuid)) {
                throw new PoolException(PoolException.Reason.DEVICE_CHANGED, "device " + device.path()
                        + " changed under the format of epoch " + n);
            }
            if (active != null && FirstFile.offset(v) != FirstFile.offset(active.volume)) {
                throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "epoch " + n + " on " + device.path()
                        + " would put its control file at another device offset than epoch " + active.header.epoch());
            }
            EpochHeader h = new EpochHeader(cfg.slots(), poolId, uuid, previous, n, System.currentTimeMillis(), dataset);
            EpochFile f = EpochFile.create(v, h);
            CONTROL_CREATED.hit();
            return new Epoch(v, f, h, now);
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    private Epoch openEpoch(EpochPool.Member m) {
        MasterVolume v = Famfs.openMaster(m.device().path(), opts);
        try {
            if (!VolumeId.of(v).equals(m.device().fsUuid())) {
                throw new PoolException(PoolException.Reason.DEVICE_CHANGED, "device " + m.device().path()
                        + " now holds volume " + VolumeId.of(v) + ", not " + m.device().fsUuid());
            }
            EpochFile f = EpochFile.open(v, dataset);
            if (f == null || !f.ready()) {
                throw new FamfsException(ErrorKind.CORRUPT_MEDIA, "epoch " + m.epoch() + " on " + m.device().path()
                        + " lost its control file");
            }
            return new Epoch(v, f, f.header(), m.device());
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** The pool's figures now: epochs, space in use on the open epochs against the pool's devices. */
    synchronized PoolMetrics metrics() {
        long used = 0;
        for (Epoch e : new Epoch[] {active, draining}) {
            if (e != null && !e.volume.isClosed()) {
                used += e.volume.usage().dataUsedBytes();
            }
        }
        stats.poolUsed(used);
        return stats.poolMetrics(paths.size(), poolCapacity, used, draining == null ? 0 : draining.header.epoch(),
                active == null ? null : active.device.path().toString());
    }

    /** Closes the volumes this rotation opened (the active epoch's too: the publisher has stopped). */
    @Override
    public synchronized void close() {
        for (Epoch e : new Epoch[] {draining, active}) {
            if (e != null) {
                e.volume.close();
            }
        }
        draining = null;
    }

    /** The copy of the DB's current version into a new epoch, as a version of its journal. */
    interface Repack {
        record Result(SstCopier copier, JournalWriter journal, long bytes, long liveBytes) {}

        Result into(MasterVolume volume, JournalWriter previous) throws Exception;
    }
}
