package io.famfsrocks.rocks.publish;

/** Where a {@link FamfsPublisher} is in its life. */
public enum PublisherState {
    /** Attached to the DB's options, not started. */
    NEW,
    /** Publishing; no threshold crossed. */
    RUNNING,
    /** Publishing, but free famfs space or log slots are below the configured thresholds. */
    WARNING,
    /** Publishing gave up (the metrics say why); the DB keeps serving. */
    STOPPED,
    /** Closed by its owner or by the exit guard. */
    CLOSED
}
