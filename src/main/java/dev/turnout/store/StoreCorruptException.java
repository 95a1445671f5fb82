package dev.turnout.store;

/**
 * The store holds a value Turnout cannot use (garbled revision, unreadable table, a key of the
 * wrong type). The message names the key and what repairs it; nothing was changed.
 */
public final class StoreCorruptException extends RuntimeException {
    public StoreCorruptException(String message) {
        super(message);
    }
}
