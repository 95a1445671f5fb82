package dev.turnout.rollout;

import dev.turnout.route.InvalidRoutesException;
import java.util.List;

/** A rollout document that cannot be accepted; {@link #problems()} lists every problem, each naming its field. */
public final class InvalidRolloutException extends RuntimeException {

    private final List<String> problems;

    public InvalidRolloutException(List<String> problems) {
        // Capped as route documents are: a hostile document's list of mistakes would be its own attack.
        super("invalid rollout: " + String.join("; ", InvalidRoutesException.listed(problems)));
        this.problems = InvalidRoutesException.listed(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
