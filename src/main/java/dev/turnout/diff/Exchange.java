package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

/**
 * One side of a pair: the assembled answer and how long it took.
 *
 * @param ttftMs time to the first body byte; null when nothing arrived
 */
public record Exchange(AssembledResponse response, double totalMs, Double ttftMs) {
    public Exchange {
        requireNonNull(response, "response");
    }
}
