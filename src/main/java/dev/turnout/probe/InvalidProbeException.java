package dev.turnout.probe;

import dev.turnout.route.InvalidRoutesException;
import java.util.List;

/** A probe document that cannot be accepted; {@link #problems()} names every bad field. */
public final class InvalidProbeException extends RuntimeException {

    private final List<String> problems;

    public InvalidProbeException(List<String> problems) {
        super("invalid probe: " + String.join("; ", InvalidRoutesException.listed(problems)));
        this.problems = InvalidRoutesException.listed(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
