package dev.turnout.rollout;

import java.util.ArrayList;
import java.util.List;

/** A rollout document that cannot be accepted; {@link #problems()} lists every problem, each naming its field. */
public final class InvalidRolloutException extends RuntimeException {

    /** A hostile document can hold many mistakes; an answer listing them all would be its own attack. */
    static final int MAX_LISTED = 100;

    private final List<String> problems;

    public InvalidRolloutException(List<String> problems) {
        super("invalid rollout: " + String.join("; ", listed(problems)));
        this.problems = listed(problems);
    }

    private static List<String> listed(List<String> problems) {
        if (problems.size() <= MAX_LISTED) return List.copyOf(problems);
        List<String> listed = new ArrayList<>(problems.subList(0, MAX_LISTED));
        listed.add("... and " + (problems.size() - MAX_LISTED) + " more problem(s) not listed; fix these first");
        return List.copyOf(listed);
    }

    public List<String> problems() {
        return problems;
    }
}
