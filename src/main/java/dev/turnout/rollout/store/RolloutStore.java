package dev.turnout.rollout.store;

import dev.turnout.store.RedisStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where rollouts live: their documents, compare-and-set by revision; the active index every
 * instance polls; and the leader lease, whose fencing token guards the leader's writes. Redis
 * unreachable: {@link dev.turnout.store.StoreUnavailableException}; Redis holding what cannot be
 * used where one answer is asked for: {@link dev.turnout.store.StoreCorruptException}, naming the
 * key and the repair. Listings skip what they cannot read and count it in {@link #unreadable()}.
 */
public interface RolloutStore {

    /** At most this many rollouts are stored; creating one more deletes the oldest that is not active. */
    int MAX_STORED = 1_000;

    Future<Void> start();

    /**
     * Stores revision 1. Fails with {@link RolloutConflictException} if the id exists,
     * {@link AliasBusyException} (existing id) if another active rollout has the same alias: atomic,
     * so two instances creating for one alias at once get exactly one winner. {@code active} is
     * the rollout's entry in the active index (its id must be {@code id}), or null to store it
     * inactive. With {@link #MAX_STORED} rollouts stored, the oldest (smallest id) that is not
     * active is deleted; if every one is active, IllegalStateException.
     */
    Future<StoredRollout> create(String id, String json, ActiveRollout active);

    Future<Optional<StoredRollout>> get(String id);

    /**
     * Newest first (ids sort by creation time as strings: the engine makes them so), at most
     * {@code limit} (capped at {@link #MAX_STORED}). Entries that cannot be read (garbled revision,
     * bad id, oversized document) are skipped and added to {@link #unreadable()}.
     */
    Future<List<StoredRollout>> list(int limit);

    /** The active index, at most {@link #MAX_STORED} entries; undecodable entries are skipped and counted. */
    Future<List<ActiveRollout>> active();

    /**
     * Compare-and-set: stores json as revision expectedRevision+1 if the stored revision is
     * expectedRevision, else fails with {@link RolloutConflictException} (storedRevision; 0 when no
     * such rollout is stored). {@code active == null} removes the id from the active index (the
     * rollout ended), else sets its entry ({@link AliasBusyException} if another active rollout
     * holds the alias). {@code fence == 0}: an operator's write (pause/resume/abort/promote from the
     * admin API on any instance), no lease check. {@code fence > 0}: the leader's write; fails with
     * {@link FencedOutException} unless the leader lease's current token equals fence, so a leader
     * that lost its lease (GC pause, partition) can never write after another took over.
     */
    Future<StoredRollout> write(String id, long expectedRevision, String json, ActiveRollout active, long fence);

    /**
     * Leader lease: takes the lease if free or already held by owner (renewing it to ttl),
     * returning the fencing token (> 0, strictly increasing each time the lease changes hands, NOT
     * on renewals); returns 0 when another owner holds it. A lease that expired before its owner
     * renewed it was free: taking it again gives a new token, even to the same owner.
     */
    Future<Long> acquireLease(String owner, Duration ttl);

    /** Gives the lease back if owner holds it (so a clean shutdown hands over at once). */
    Future<Void> releaseLease(String owner);

    /** Current holder, or empty. */
    Future<Optional<String>> leaseHolder();

    /**
     * How many stored entries {@link #list} and {@link #active} skipped because they could not be
     * read, since this store started (a counter for a metric: each pass over the same garbage
     * counts it again); the log names each key and its repair.
     */
    long unreadable();

    Future<Void> close();

    /** Rollouts in this process only: one instance, which then always leads; the lease still honours ttl. */
    static RolloutStore memory() {
        return new MemoryRolloutStore(Clock.systemUTC());
    }

    /** Rollouts in Redis, shared by every instance, under {@code {prefix}:rollouts...} (keys: {@code package-info}). */
    static RolloutStore redis(Vertx vertx, RedisStoreOptions options) {
        return new RedisRolloutStore(vertx, options);
    }
}
