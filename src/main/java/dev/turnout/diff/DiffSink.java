package dev.turnout.diff;

/** Somewhere compared pairs go: a log file, a Redis stream, counters, the in-memory report. */
public interface DiffSink extends AutoCloseable {

    /** Takes one record, on the differ's own thread (never an event loop). */
    void accept(DiffRecord record);

    /** The end of a batch: write out what is buffered. */
    default void flush() {}

    @Override
    default void close() {}
}
