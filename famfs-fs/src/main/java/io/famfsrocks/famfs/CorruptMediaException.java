package io.famfsrocks.famfs;

/**
 * Bytes on the device that do not decode. Names the structure, its device offset, and
 * what was expected against what was found, so that an operator can look at the bytes.
 */
public final class CorruptMediaException extends FamfsException {
    private static final long serialVersionUID = 1L;

    private final String resource;
    private final long offset;

    public CorruptMediaException(String resource, long offset, String field, Object expected, Object actual) {
        super(ErrorKind.CORRUPT_MEDIA, String.format("corrupt %s at device offset 0x%x: %s expected %s, found %s",
                resource, offset, field, expected, actual));
        this.resource = resource;
        this.offset = offset;
    }

    /** The same defect, reported with what it prevents ({@code context}, then the original message). */
    public CorruptMediaException(String context, CorruptMediaException cause) {
        super(ErrorKind.CORRUPT_MEDIA, context + ": " + cause.getMessage(), cause);
        this.resource = cause.resource;
        this.offset = cause.offset;
    }

    public String resource() {
        return resource;
    }

    public long offset() {
        return offset;
    }
}
