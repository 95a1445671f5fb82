package dev.turnout.golden;

import dev.turnout.route.InvalidRoutesException;
import java.util.List;

/**
 * A golden-set document that cannot be accepted. {@link #problems()} lists every problem, each
 * starting with where it is ({@code line 3: } in JSONL, {@code items[2]: } in JSON, {@code document: }
 * or {@code name: } for the whole set) and naming the field.
 */
public final class InvalidGoldenSetException extends RuntimeException {

    private final List<String> problems;

    public InvalidGoldenSetException(List<String> problems) {
        // Capped as route documents are: a hostile document's list of mistakes would be its own attack.
        super("invalid golden set: " + String.join("; ", InvalidRoutesException.listed(problems)));
        this.problems = InvalidRoutesException.listed(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
