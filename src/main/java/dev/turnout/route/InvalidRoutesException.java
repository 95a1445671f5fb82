package dev.turnout.route;

import java.util.ArrayList;
import java.util.List;

/** A route document that cannot be applied; {@link #errors()} lists every problem, each naming its field. */
public final class InvalidRoutesException extends RuntimeException {

    /** A hostile document can hold millions of mistakes; an answer listing them all would be its own attack. */
    static final int MAX_LISTED = 100;

    private final List<String> errors;

    public InvalidRoutesException(List<String> errors) {
        super("invalid routes: " + String.join("; ", listed(errors)));
        this.errors = listed(errors);
    }

    /**
     * The first {@value #MAX_LISTED} problems and a line counting the rest: how every document the
     * admin API refuses (routes, rollouts) lists its problems.
     */
    public static List<String> listed(List<String> errors) {
        if (errors.size() <= MAX_LISTED) return List.copyOf(errors);
        List<String> listed = new ArrayList<>(errors.subList(0, MAX_LISTED));
        listed.add("... and " + (errors.size() - MAX_LISTED) + " more problem(s) not listed; fix these first");
        return List.copyOf(listed);
    }

    public List<String> errors() {
        return errors;
    }
}
