package io.famfsrocks.famfs.pool;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;

import java.util.List;

/**
 * A file at the first allocation unit of a volume's data area, right after the log: the
 * same device offset in every volume of a device formatted with the same log length. A
 * pool puts there what must stay at one place across reformats (an epoch's control file,
 * whose per-host slots a paused client may still store into). Stateless.
 */
public final class FirstFile {
    private FirstFile() {}

    /** The device offset of the first allocation unit of {@code volume}'s data area. */
    public static long offset(FamfsVolume volume) {
        return FamfsLayout.dataStart(volume.superblock().logLen());
    }

    /**
     * Creates {@code path} ({@code size} bytes, its parent must exist) at {@link #offset}.
     *
     * @throws FamfsException INVALID_ARGUMENT when the place is taken or the file would not
     *         fit in one allocation unit
     */
    public static FamfsFile create(MasterVolume volume, String path, long size, CreateOptions opts) {
        long au = volume.superblock().allocUnit();
        if (size <= 0 || size > au) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "a first file holds 1.." + au + " bytes, not " + size);
        }
        return volume.createWithLayout(path, size, opts,
                new FileLayout.Simple(List.of(Extent.of(offset(volume), au))));
    }

    /** Whether {@code file} of {@code volume} starts at {@link #offset}. */
    public static boolean isFirst(FamfsVolume volume, FamfsFile file) {
        return file.deviceOffset(0) == offset(volume);
    }
}
