package dev.turnout.route;

import java.util.List;

/** A route document that cannot be applied; {@link #errors()} lists every problem, each naming its field. */
public final class InvalidRoutesException extends RuntimeException {

    private final List<String> errors;

    public InvalidRoutesException(List<String> errors) {
        super("invalid routes: " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
