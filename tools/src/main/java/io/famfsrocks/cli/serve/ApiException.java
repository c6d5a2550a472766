package io.famfsrocks.cli.serve;

/** A request the API refuses: the stable {@link ApiError} and a one-line message. Unchecked. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final ApiError error;
    /** The sequence reads reflect, for errors that report it (min_seq), else -1. */
    final long sequence;

    ApiException(ApiError error, String message) {
        this(error, message, -1);
    }

    ApiException(ApiError error, String message, long sequence) {
        super(message, null, false, false);
        this.error = error;
        this.sequence = sequence;
    }
}
