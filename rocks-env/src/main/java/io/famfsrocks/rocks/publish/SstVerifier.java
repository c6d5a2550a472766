package io.famfsrocks.rocks.publish;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.rocks.BridgeException;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileReader;
import org.rocksdb.Status;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Verifies every block checksum of an SST before it is published
 * ({@link SstFileReader#verifyChecksum()}): a corrupt SST must never become part of a
 * version that replicas open. It reads the whole file once; the copy that follows reads it
 * again from the page cache. Stateless, thread-safe.
 */
public final class SstVerifier {
    private SstVerifier() {}

    /**
     * @throws BridgeException CORRUPT_MEDIA naming {@code sst} when a block checksum (or the
     *         footer) does not match, IO when it cannot be read
     * @throws NoSuchFileException when the file is gone (a compaction deleted it meanwhile)
     */
    public static void verify(Path sst) throws NoSuchFileException {
        try (Options o = new Options(); SstFileReader r = new SstFileReader(o)) {
            r.open(sst.toString());
            r.verifyChecksum();
        } catch (RocksDBException e) {
            Status s = e.getStatus();
            if (s != null && s.getCode() != Status.Code.Corruption && String.valueOf(e.getMessage()).contains("No such file")) {
                throw new NoSuchFileException(sst.toString());
            }
            boolean corrupt = s != null && s.getCode() == Status.Code.Corruption;
            throw new BridgeException(corrupt ? ErrorKind.CORRUPT_MEDIA : ErrorKind.IO, "SST " + sst
                    + (corrupt ? " is corrupt (block checksum verification failed; not published): "
                            : " cannot be verified: ") + e.getMessage(), e);
        }
    }
}
