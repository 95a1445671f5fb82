package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.RouteTable;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** The embedded default: one instance, routes kept in this process, seeded from the routes file. */
final class MemoryRouteStore implements RouteStore {


    private final int historyLimit;
    private final Clock clock;
    private final AppliedListeners listeners = new AppliedListeners();
    private final Deque<Revision> history = new ArrayDeque<>(); // newest first; guarded by this
    private volatile RouteTable current;

    MemoryRouteStore(int historyLimit, Clock clock) {
        if (historyLimit < 1) throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
        this.historyLimit = historyLimit;
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public Future<RouteTable> start(RouteTable seed) {
        requireNonNull(seed, "seed");
        synchronized (this) {
            if (current == null) {
                apply(new Revision(1, ChangeInfo.seed("the routes file"), Instant.now(clock), seed.withRevision(1)));
            }
            return Future.succeededFuture(current);
        }
    }

    @Override
    public RouteTable current() {
        return current;
    }

    @Override
    public void onApplied(Consumer<RouteTable> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    @Override
    public synchronized Future<RouteTable> whenApplied(long revision) {
        return listeners.when(revision, this::current);
    }

    @Override
    public Future<RouteTable> update(long expectedRevision, UnaryOperator<RouteTable> edit, ChangeInfo change) {
        requireNonNull(edit, "edit");
        synchronized (this) { // one writer at a time: the edit always sees the newest table
            if (expectedRevision != ANY_REVISION && expectedRevision != current.revision()) {
                return Future.failedFuture(new RevisionConflictException(expectedRevision, current.revision()));
            }
            RouteTable proposed;
            try {
                proposed = edit.apply(current);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            return write(proposed, expectedRevision, change);
        }
    }

    @Override
    public Future<RouteTable> write(RouteTable proposed, long expectedRevision, ChangeInfo change) {
        requireNonNull(proposed, "proposed");
        requireNonNull(change, "change");
        RouteTable applied;
        synchronized (this) {
            long stored = current.revision();
            if (expectedRevision != ANY_REVISION && expectedRevision != stored) {
                return Future.failedFuture(new RevisionConflictException(expectedRevision, stored));
            }
            if (proposed.sameRoutesAs(current)) {
                return Future.succeededFuture(current);
            }
            applied = proposed.withRevision(stored + 1);
            apply(new Revision(applied.revision(), change, Instant.now(clock), applied));
        }
        return Future.succeededFuture(applied);
    }

    // Caller holds the lock: history and current move together.
    private void apply(Revision revision) {
        history.addFirst(revision);
        while (history.size() > historyLimit) history.removeLast();
        current = revision.table();
        listeners.applied(revision.table());
    }

    @Override
    public synchronized Future<History> history(int limit) {
        return Future.succeededFuture(new History(history.stream().limit(Math.max(0, limit)).toList(), 0,
                history.isEmpty() ? 0 : history.peekFirst().revision()));
    }

    @Override
    public synchronized Future<Revision> revision(long revision) {
        for (Revision entry : history) {
            if (entry.revision() == revision) return Future.succeededFuture(entry);
        }
        return Future.failedFuture(new RevisionNotFoundException(revision));
    }

    @Override
    public Future<StoreStatus> status() {
        RouteTable table = current;
        long applied = table == null ? 0 : table.revision();
        return Future.succeededFuture(new StoreStatus("memory", true, applied, applied,
                List.of(new StoreStatus.InstanceState("local", applied, Instant.now(clock))), null));
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
