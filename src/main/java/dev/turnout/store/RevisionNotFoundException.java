package dev.turnout.store;

/** A revision that history no longer (or never) held. */
public final class RevisionNotFoundException extends RuntimeException {
    public RevisionNotFoundException(long revision) {
        super("revision " + revision + " is not in the kept history");
    }
}
