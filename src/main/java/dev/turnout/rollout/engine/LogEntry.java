package dev.turnout.rollout.engine;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One line of a rollout's decision log: what happened ({@code created}, {@code step}, {@code pass},
 * {@code fail}, {@code timed_out}, {@code paused}, {@code resumed}, {@code promoted}, {@code rolled_back},
 * {@code aborted}, {@code routes}, {@code gap}), at which step and candidate weight, and why.
 */
public record LogEntry(Instant time, int step, double weight, String event, String detail) {
    public LogEntry {
        requireNonNull(time, "time");
        requireNonNull(event, "event");
        detail = detail == null ? "" : detail;
    }
}
