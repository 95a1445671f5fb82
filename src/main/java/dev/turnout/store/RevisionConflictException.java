package dev.turnout.store;

/** A write named a revision that is no longer the stored one: someone else wrote first. */
public final class RevisionConflictException extends RuntimeException {

    private final long expected;
    private final long actual;

    public RevisionConflictException(long expected, long actual) {
        super("revision conflict: the write expected revision " + expected + " but the store holds " + actual
                + "; read the routes again, reapply your change and send If-Match: \"" + actual + "\"");
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() { return expected; }
    public long actual() { return actual; }
}
