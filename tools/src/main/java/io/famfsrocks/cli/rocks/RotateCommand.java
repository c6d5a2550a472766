package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.SystemUuid;
import io.famfsrocks.famfs.pool.DevicePool;
import io.famfsrocks.famfs.pool.PoolException;
import io.famfsrocks.rocks.epoch.EpochFile;
import io.famfsrocks.rocks.epoch.EpochPool;
import io.famfsrocks.rocks.journal.DatasetPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code rotate}: asks the publisher of a dataset kept over a pool of devices to rotate it
 * to a new epoch (docs/epochs.md). The request is a word stored in place in the active
 * epoch's control file, through a writable mapping of just that cache line (the publisher
 * holds the volume as master; this process only maps the line): a running publisher sees
 * it at its next loop, one started later when it starts; the new epoch's control file
 * starts without it, so one request makes one rotation. Only the pool's master host may
 * ask. By default the verb then waits until the pool shows the next epoch active.
 */
@Command(name = "rotate", description = "Ask the publisher of a dataset over a pool of devices for a new epoch.",
        footer = {"", "Stores a request in the active epoch's control file. A running publisher",
                "rotates at its next loop (one started later, when it starts): a free device",
                "gets the next epoch, the live SSTs are copied there, the old epoch is sealed",
                "and, once replicas let go of it, its device is reusable. Only on the pool's",
                "master host. Waits for the next epoch unless --no-wait; without a publisher",
                "running, gives up after --wait (exit 15) and the request stays.", "",
                "Examples:",
                "  famfs-rocks rotate -D /dev/shm/pool0 -D /dev/shm/pool1 --dataset db1",
                "  famfs-rocks rotate -D /dev/dax0.0 -D /dev/dax1.0 --dataset db1 --no-wait"})
public final class RotateCommand extends Verb {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "The dataset to rotate.")
    String dataset;

    @Option(names = {"-D", "--device"}, required = true, paramLabel = "DEVICE",
            description = "A device of the pool (this host's path); give every device of the pool, two or more.")
    List<Path> devices = new ArrayList<>();

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the publisher to rotate (default 60).")
    long waitSeconds;

    @Option(names = "--no-wait", description = "Store the request and return.")
    boolean noWait;

    @Override
    protected ExitCode run() throws Exception {
        DatasetPaths.check(dataset);
        if (waitSeconds < 0) {
            throw new CliException(ExitCode.USAGE, "--wait must be 0 or more seconds, got " + waitSeconds);
        }
        EpochPool pool = EpochPool.read(DevicePool.scan(devices, openOptions()), dataset, null);
        EpochPool.Member active = pool.active().orElseThrow(() -> new CliException(ExitCode.NOT_FOUND,
                "the devices hold no epoch of dataset " + dataset + ": a publisher over the pool creates epoch 1"));
        long epoch = active.epoch();
        Path device = active.device().path();
        try (FamfsVolume v = Famfs.openReadOnly(device, openOptions())) {
            UUID me = SystemUuid.resolve(openOptions().systemUuid());
            if (!v.info().systemUuid().equals(me)) {
                throw new CliException(ExitCode.NOT_MASTER, "epoch " + epoch + " of " + dataset + " on " + device
                        + " belongs to master host " + v.info().systemUuid() + ", not this host (" + me
                        + "): ask on the host that runs the publisher");
            }
            EpochFile f = EpochFile.open(v, dataset);
            if (f == null || !f.ready() || f.seal() != null) {
                throw new CliException(ExitCode.BUSY, "epoch " + epoch + " of " + dataset + " is rotating already; "
                        + "run rotate again once it is done");
            }
            f.requestRotation(device);
        }
        out().printf("rotation of dataset %s requested in epoch %d (%s)%n", dataset, epoch, device);
        if (noWait) {
            return ExitCode.OK;
        }
        out().flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
            EpochPool now;
            try {
                now = EpochPool.read(DevicePool.scan(devices, openOptions()), dataset, pool.poolId());
            } catch (PoolException midRotation) {
                continue; // a device read while the publisher formats or fills it: read again
            }
            if (now.active().isPresent() && now.active().get().epoch() > epoch) {
                EpochPool.Member n = now.active().get();
                out().printf("dataset %s rotated: epoch %d is active on %s%n", dataset, n.epoch(), n.device().path());
                return ExitCode.OK;
            }
        }
        throw new CliException(ExitCode.BUSY, "no publisher of dataset " + dataset + " rotated it within " + waitSeconds
                + " s; the request stays in epoch " + epoch + "'s control file and a publisher rotates when it runs");
    }
}
