package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.pool.FirstFile;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.PoolDevice;
import io.famfsrocks.famfs.pool.PoolException;
import io.famfsrocks.famfs.pool.PoolException.Reason;
import io.famfsrocks.famfs.pool.VolumeId;
import io.famfsrocks.rocks.journal.DatasetPaths;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One dataset's epochs over a {@link DevicePool}, as read from the devices now: which
 * volume is the active epoch, which sealed one may still be read by replicas, and which
 * devices a new epoch may take. The roles follow from the records alone (see {@code
 * docs/epochs.md}), so a restarted primary and every replica reach the same reading:
 * <ul>
 *   <li>ACTIVE: the one unsealed epoch (the publisher writes there);</li>
 *   <li>DRAINING: the sealed epoch whose seal names the active one (replicas may still
 *       read it until the primary has seen every ack slot released or expired);</li>
 *   <li>ABANDONED: an unsealed epoch one newer than the active one that names it as its
 *       predecessor: a rotation that stopped before its seal (crash during repack). It
 *       is rolled back: nobody was ever told of it;</li>
 *   <li>RETIRED: the predecessor once the primary marked it drained, and older sealed
 *       epochs (a seal is written only after the epoch before it drained, so nobody reads
 *       them);</li>
 *   <li>FREE: a blank device, an empty volume, or a volume whose epoch creation stopped
 *       before its header was published.</li>
 * </ul>
 * Refuses, with a typed {@link PoolException}: two unsealed epochs that are not such a
 * pair (TWO_ACTIVE_EPOCHS), a device of another pool, holding other files, or with its
 * control file at another device offset (another log length) (FOREIGN_DEVICE), sealed epochs with no active one or a seal that names a volume other
 * than the active one (BROKEN_CHAIN).
 *
 * <p>Immutable snapshot; thread-safe. Opens each volume read-only for the reading only.
 */
public final class EpochPool {
    public enum Role { ACTIVE, DRAINING, ABANDONED, RETIRED, FREE }

    /** A device and what it is to this dataset; header and seal are null for FREE devices. */
    public record Member(PoolDevice device, Role role, EpochHeader header, SealRecord seal) {
        public long epoch() {
            return header == null ? 0 : header.epoch();
        }
    }

    private final DevicePool devices;
    private final String dataset;
    private final UUID poolId;
    private final List<Member> members;
    private final long controlOffset;

    private EpochPool(DevicePool devices, String dataset, UUID poolId, List<Member> members, long controlOffset) {
        this.devices = devices;
        this.dataset = dataset;
        this.poolId = poolId;
        this.members = List.copyOf(members);
        this.controlOffset = controlOffset;
    }

    /**
     * The device offset of the control file in every epoch of the pool (-1 while it holds
     * none). A new epoch volume must put it at the same place ({@code FirstFile.offset} of
     * the freshly formatted volume equal to this), so the rotation formats with the same
     * log length.
     */
    public long controlFileOffset() {
        return controlOffset;
    }

    /**
     * Reads every device of {@code devices} for {@code dataset}.
     *
     * @param poolId the pool's id, or null to adopt the one the epochs carry (a new pool has none)
     */
    public static EpochPool read(DevicePool devices, String dataset, UUID poolId) {
        DatasetPaths.check(dataset);
        List<Found> found = new ArrayList<>();
        List<PoolDevice> free = new ArrayList<>();
        UUID pool = poolId;
        for (PoolDevice d : devices.devices()) {
            Found f = d.isBlank() ? null : inspect(devices, d, dataset);
            if (f == null) {
                free.add(d);
                continue;
            }
            if (pool == null) {
                pool = f.header.poolId();
            } else if (!pool.equals(f.header.poolId())) {
                throw new PoolException(Reason.FOREIGN_DEVICE, "device " + d.path() + " holds epoch " + f.header.epoch()
                        + " of pool " + f.header.poolId() + ", not of pool " + pool + "; remove it from the list");
            }
            if (!found.isEmpty() && found.get(0).controlOffset != f.controlOffset) {
                throw new PoolException(Reason.FOREIGN_DEVICE, String.format("device %s holds an epoch whose control file "
                        + "is at device offset 0x%x, but %s has it at 0x%x: the volumes were formatted with different log "
                        + "lengths, and a pool's ack slots must sit at one place on every device", d.path(), f.controlOffset,
                        found.get(0).device.path(), found.get(0).controlOffset));
            }
            found.add(f);
        }
        long offset = found.isEmpty() ? -1 : found.get(0).controlOffset;
        return new EpochPool(devices, dataset, pool, roles(found, free), offset);
    }

    private record Found(PoolDevice device, EpochHeader header, SealRecord seal, boolean drained, long controlOffset) {}

    /** The epoch on {@code d}, or null when the device is free for this dataset. */
    private static Found inspect(DevicePool devices, PoolDevice d, String dataset) {
        try (FamfsVolume v = Famfs.openReadOnly(d.path(), devices.options())) {
            if (!VolumeId.of(v).equals(d.fsUuid())) {
                throw new PoolException(Reason.DEVICE_CHANGED, "device " + d.path() + " now holds volume "
                        + VolumeId.of(v) + ", not " + d.fsUuid() + "; read the pool again");
            }
            EpochFile f = EpochFile.open(v, dataset);
            if (f == null || !f.ready()) {
                if (onlyDatasetDirectories(v, dataset, f != null)) {
                    return null; // empty, or an epoch whose creation stopped before its header
                }
                throw new PoolException(Reason.FOREIGN_DEVICE, "device " + d.path() + " (volume " + d.fsUuid()
                        + ") holds files but no epoch of dataset " + dataset + "; it is not this pool's");
            }
            EpochHeader h = f.header();
            if (!h.volumeUuid().equals(d.fsUuid()) || !h.dataset().equals(dataset)) {
                throw new PoolException(Reason.FOREIGN_DEVICE, "device " + d.path() + ": " + f.path() + " names volume "
                        + h.volumeUuid() + " and dataset " + h.dataset() + ", but the device holds volume " + d.fsUuid()
                        + " (a copied image?)");
            }
            SealRecord seal = f.seal();
            return new Found(d, h, seal, seal != null && f.drained(), FirstFile.offset(v));
        }
    }

    /** Whether the volume holds nothing but the directories of the dataset's path (and maybe an unfinished control file). */
    private static boolean onlyDatasetDirectories(FamfsVolume v, String dataset, boolean unfinishedControlFile) {
        long dirs = 0;
        String prefix = "";
        for (String part : dataset.split("/")) {
            prefix = prefix.isEmpty() ? part : prefix + "/" + part;
            if (v.lookup(prefix) instanceof Node.Dir) {
                dirs++;
            }
        }
        return v.appliedEntries() == dirs + (unfinishedControlFile ? 1 : 0);
    }

    private static List<Member> roles(List<Found> found, List<PoolDevice> free) {
        List<Member> out = new ArrayList<>();
        free.forEach(d -> out.add(new Member(d, Role.FREE, null, null)));
        List<Found> unsealed = found.stream().filter(f -> f.seal == null)
                .sorted(Comparator.comparingLong(f -> f.header.epoch())).toList();
        if (found.isEmpty()) {
            return out;
        }
        Found active;
        if (unsealed.isEmpty()) {
            Found newest = found.stream().max(Comparator.comparingLong(f -> f.header.epoch())).orElseThrow();
            throw new PoolException(Reason.BROKEN_CHAIN, "every epoch of the pool is sealed: the newest, "
                    + newest.header.epoch() + " on " + newest.device.path() + ", names volume " + newest.seal.nextVolumeUuid()
                    + " for epoch " + newest.seal.nextEpoch() + ", which no device of the list holds");
        } else if (unsealed.size() == 1) {
            active = unsealed.get(0);
        } else if (unsealed.size() == 2 && isAbandonedSuccessor(unsealed.get(0), unsealed.get(1))) {
            active = unsealed.get(0);
            out.add(new Member(unsealed.get(1).device, Role.ABANDONED, unsealed.get(1).header, null));
        } else {
            throw new PoolException(Reason.TWO_ACTIVE_EPOCHS, "dataset epochs " + unsealed.stream()
                    .map(f -> f.header.epoch() + " on " + f.device.path()).toList() + " are all unsealed: only one "
                    + "epoch can be active; the pool needs an operator");
        }
        out.add(new Member(active.device, Role.ACTIVE, active.header, null));
        for (Found f : found) {
            if (f.seal == null) {
                continue;
            }
            if (f.header.epoch() >= active.header.epoch()) {
                throw new PoolException(Reason.BROKEN_CHAIN, "epoch " + f.header.epoch() + " on " + f.device.path()
                        + " is sealed but the active epoch is " + active.header.epoch() + " on " + active.device.path());
            }
            boolean predecessor = f.header.epoch() == active.header.epoch() - 1;
            if (predecessor && !(f.seal.nextEpoch() == active.header.epoch()
                    && f.seal.nextVolumeUuid().equals(active.header.volumeUuid()))) {
                throw new PoolException(Reason.BROKEN_CHAIN, "epoch " + f.header.epoch() + " on " + f.device.path()
                        + " is sealed towards volume " + f.seal.nextVolumeUuid() + ", but epoch "
                        + active.header.epoch() + " is active on volume " + active.header.volumeUuid());
            }
            out.add(new Member(f.device, predecessor && !f.drained ? Role.DRAINING : Role.RETIRED, f.header, f.seal));
        }
        return out;
    }

    private static boolean isAbandonedSuccessor(Found older, Found newer) {
        return newer.header.epoch() == older.header.epoch() + 1
                && newer.header.previousVolumeUuid().equals(older.header.volumeUuid());
    }

    public String dataset() {
        return dataset;
    }

    /** The pool's id, or null for a pool that holds no epoch yet. */
    public UUID poolId() {
        return poolId;
    }

    public DevicePool devices() {
        return devices;
    }

    public List<Member> members() {
        return members;
    }

    public Optional<Member> active() {
        return members.stream().filter(m -> m.role() == Role.ACTIVE).findFirst();
    }

    public Optional<Member> draining() {
        return members.stream().filter(m -> m.role() == Role.DRAINING).findFirst();
    }

    /** The member on the device holding volume {@code fsUuid}. */
    public Optional<Member> byFsUuid(UUID fsUuid) {
        Objects.requireNonNull(fsUuid);
        return members.stream().filter(m -> fsUuid.equals(m.device().fsUuid())).findFirst();
    }

    /**
     * The device a new epoch should take: a FREE one (blank first), else an ABANDONED one,
     * else the oldest RETIRED one; never the ACTIVE or the DRAINING epoch's.
     *
     * @throws PoolException NO_FREE_DEVICE while every other device still drains
     */
    public PoolDevice pickFree() {
        Comparator<Member> order = Comparator.<Member>comparingInt(m -> switch (m.role()) {
            case FREE -> m.device().isBlank() ? 0 : 1;
            case ABANDONED -> 2;
            case RETIRED -> 3;
            default -> 9;
        }).thenComparingLong(Member::epoch);
        return members.stream().filter(m -> m.role() == Role.FREE || m.role() == Role.ABANDONED || m.role() == Role.RETIRED)
                .min(order).map(Member::device)
                .orElseThrow(() -> new PoolException(Reason.NO_FREE_DEVICE, "no device of the pool is free for a new "
                        + "epoch of " + dataset + ": " + members.stream().map(m -> m.device().path() + " " + m.role()).toList()
                        + "; the draining epoch must be released (or its leases expire) first"));
    }
}
