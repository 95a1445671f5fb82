package dev.turnout.rollout.store;

/**
 * A create or write found another revision than it expected: someone else wrote first (read again
 * and decide again), or, on create, the id is taken. {@link #storedRevision()} is 0 when a write
 * named a rollout that is not stored.
 */
public final class RolloutConflictException extends RuntimeException {

    private final long storedRevision;

    public RolloutConflictException(long storedRevision) {
        super(storedRevision == 0 ? "rollout conflict: no such rollout is stored"
                : "rollout conflict: the store holds revision " + storedRevision + "; read the rollout again");
        this.storedRevision = storedRevision;
    }

    public long storedRevision() {
        return storedRevision;
    }
}
