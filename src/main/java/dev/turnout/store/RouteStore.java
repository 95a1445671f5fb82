package dev.turnout.store;

import dev.turnout.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Where route tables live and how each instance learns of a new one. Two implementations share
 * this contract (and one test suite): {@link #memory} for a single instance, and Redis for many.
 *
 * <p>Contract: every applied change is revision {@code n + 1}; a write names the revision it
 * expects and fails with {@link RevisionConflictException} when another write came first (the
 * store decides, against what it holds, and the exception carries the store's revision); the
 * last N revisions are kept with author, reason and time; nothing is ever rewritten, so a rollback
 * is a new revision holding a copy of an older table.
 *
 * <p>{@link #current()} is what the data plane reads: a volatile read of an immutable snapshot.
 * It never waits on the store, and keeps answering with the last applied table while the store
 * is unreachable.
 */
public interface RouteStore {

    /** Loads the stored table, or stores {@code seed} as revision 1 when there is none. */
    Future<RouteTable> start(RouteTable seed);

    /** The table this instance serves now; never null once {@link #start} has completed. */
    RouteTable current();

    /** Called with each newly applied table, after {@link #current()} returns it. */
    void onApplied(Consumer<RouteTable> listener);

    /**
     * Stores {@code proposed} as the next revision if the stored revision is still
     * {@code expectedRevision} ({@link #ANY_REVISION} skips the check). A table whose routes equal
     * the stored one is not a change: the stored revision is returned and nothing is recorded.
     * Fails with {@link RevisionConflictException}, or {@link StoreUnavailableException}.
     */
    Future<RouteTable> write(RouteTable proposed, long expectedRevision, ChangeInfo change);

    /**
     * Applies {@code edit} to the stored table and stores the result. With an expected revision it
     * is {@link #write} on the table of that revision (a conflict if the store holds another);
     * with {@link #ANY_REVISION} the edit is applied to whatever the store holds, read again and
     * retried (bounded) when another write slips in, so concurrent unconditional edits all land.
     * The edit may throw (validation, not found): the future fails with that exception.
     */
    Future<RouteTable> update(long expectedRevision, UnaryOperator<RouteTable> edit, ChangeInfo change);

    /** Completes once this instance serves {@code revision} or a newer one. */
    Future<RouteTable> whenApplied(long revision);

    /** The newest revisions first, at most {@code limit}; entries that cannot be read are counted, not returned. */
    Future<History> history(int limit);

    /** One kept revision, or a failed future with {@link RevisionNotFoundException}. */
    Future<Revision> revision(long revision);

    /** Health of the store and, where several instances share it, what each one has applied. */
    Future<StoreStatus> status();

    Future<Void> close();

    /**
     * Where this store keeps routes in Redis, or empty for an in-memory store: what shares its
     * instances (rollouts, their evidence) is kept beside the routes, under the same prefix.
     */
    default java.util.Optional<RedisStoreOptions> redisOptions() {
        return java.util.Optional.empty();
    }

    long ANY_REVISION = -1;

    /** Routes in Redis, shared by every instance that names the same URI and prefix. */
    static RouteStore redis(Vertx vertx, RedisStoreOptions options) {
        return new RedisRouteStore(vertx, options);
    }

    static RouteStore memory(int historyLimit) {
        return new MemoryRouteStore(historyLimit, Clock.systemUTC());
    }
}
