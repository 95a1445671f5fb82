package dev.turnout.store;

/** A revision that history no longer (or never) held, or holds only in a form that cannot be read. */
public final class RevisionNotFoundException extends RuntimeException {
    public RevisionNotFoundException(long revision) {
        super("revision " + revision + " is not in the kept history");
    }

    public RevisionNotFoundException(long revision, String why) {
        super("revision " + revision + " is in the kept history but cannot be used: " + why);
    }
}
