package io.famfsrocks.famfs.alloc;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FileLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The allocators. Both only plan: they return a layout and leave the bitmap untouched;
 * the volume marks it when the entry that names the layout is in the log, so a failed
 * append changes nothing. Not thread-safe.
 */
public final class Allocator {
    private final AllocationBitmap bitmap;

    public Allocator(AllocationBitmap bitmap) {
        this.bitmap = bitmap;
    }

    /** Interleaving parameters: {@code nbuckets} device buckets, {@code nstrips} strips, {@code chunkSize}. */
    public record Interleave(int nbuckets, int nstrips, long chunkSize) {
        /** The reference's rules (famfs_validate_interleave_param). */
        public void validate(long allocUnit, long deviceSize) {
            if (nstrips < 1 || nstrips > 16) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "nstrips must be 1..16, got " + nstrips);
            }
            if (nbuckets < nstrips || nbuckets > 64) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT,
                        "nbuckets (" + nbuckets + ") must be from nstrips (" + nstrips + ") to 64");
            }
            if (chunkSize <= 0 || (chunkSize & (chunkSize - 1)) != 0 || chunkSize % allocUnit != 0) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "chunk size must be a power of two and a "
                        + "multiple of the allocation unit (" + allocUnit + "), got " + chunkSize);
            }
            if (deviceSize / nbuckets < (1L << 30)) {
                throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bucket size " + (deviceSize / nbuckets)
                        + " is under 1 GiB: use fewer buckets (device " + deviceSize + " bytes)");
            }
        }
    }

    /** First fit: one extent of {@code size} rounded up to the allocation unit. */
    public FileLayout.Simple allocateSimple(long size) {
        long au = bitmap.allocUnit();
        long units = (size + au - 1) / au;
        long bit = bitmap.findClearRun(units, 0, bitmap.size());
        if (bit < 0) {
            throw noSpace(size);
        }
        return new FileLayout.Simple(List.of(Extent.of(bit * au, units * au)));
    }

    /**
     * Interleaved: the device is cut into {@code nbuckets} equal buckets; each strip is
     * placed first fit inside a different bucket, buckets tried in a random order.
     * Each strip holds {@code ceil(size / (nstrips * chunk))} chunks, as in the reference.
     */
    public FileLayout.Interleaved allocateInterleaved(long size, Interleave il, Random random) {
        long au = bitmap.allocUnit();
        il.validate(au, bitmap.size() * au);
        long sizeUnits = (size + au - 1) / au;
        long chunkUnits = il.chunkSize() / au;
        long stripes = (sizeUnits + il.nstrips() * chunkUnits - 1) / (il.nstrips() * chunkUnits);
        long stripUnits = stripes * chunkUnits;
        long bucketUnits = bitmap.size() / il.nbuckets();
        if (bucketUnits < stripUnits) {
            throw noSpace(size);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < il.nbuckets(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        AllocationBitmap plan = bitmap.copy();
        List<Extent> strips = new ArrayList<>();
        for (int bucket : order) {
            if (strips.size() == il.nstrips()) {
                break;
            }
            long from = bucket * bucketUnits;
            long bit = plan.findClearRun(stripUnits, from, from + bucketUnits);
            if (bit >= 0) {
                plan.mark(bit * au, stripUnits * au);
                strips.add(Extent.of(bit * au, stripUnits * au));
            }
        }
        if (strips.size() < il.nstrips()) {
            throw noSpace(size);
        }
        return new FileLayout.Interleaved(il.chunkSize(), strips);
    }

    private FamfsException noSpace(long size) {
        return new FamfsException(ErrorKind.NO_SPACE, String.format(
                "no space: no free run for %d bytes (%d of %d allocation units used)",
                size, bitmap.countSet(), bitmap.size()));
    }
}
