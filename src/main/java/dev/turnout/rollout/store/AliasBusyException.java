package dev.turnout.rollout.store;

/** Another active rollout already moves this alias: two rollouts writing one split would undo each other's steps. */
public final class AliasBusyException extends RuntimeException {

    private final String existingId;

    public AliasBusyException(String existingId) {
        super("rollout " + existingId + " is already active on this alias; pause, abort or promote it first");
        this.existingId = existingId;
    }

    public String existingId() {
        return existingId;
    }
}
