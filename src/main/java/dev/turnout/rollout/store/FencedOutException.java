package dev.turnout.rollout.store;

/**
 * A leader's write carried a fencing token that is no longer the lease's: the lease expired (a GC
 * pause, a partition) and another instance may lead now. Nothing was written; the writer must stop
 * acting as leader until {@code acquireLease} grants it a token again.
 */
public final class FencedOutException extends RuntimeException {

    public FencedOutException(long fence) {
        super("fenced out: token " + fence + " no longer holds the rollout leader lease; nothing was written");
    }
}
