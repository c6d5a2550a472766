package io.famfsrocks.cli;

/** A failure the CLI itself detects (the engine's are {@code FamfsException}s). */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode code;

    public CliException(ExitCode code, String message) {
        super(message);
        this.code = code;
    }

    public ExitCode code() {
        return code;
    }
}
