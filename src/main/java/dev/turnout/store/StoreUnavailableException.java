package dev.turnout.store;

/** The store cannot be reached; instances keep serving their last applied table meanwhile. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
