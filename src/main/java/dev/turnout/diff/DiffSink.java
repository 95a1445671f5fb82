package dev.turnout.diff;

/** Somewhere compared pairs go: a log file, a Redis stream, counters, the in-memory report. */
public interface DiffSink extends AutoCloseable {

    /** Takes one record; must not block for long (sinks doing I/O hand it to their own thread). */
    void accept(DiffRecord record);

    @Override
    default void close() {}
}
