package dev.turnout.store;

import dev.turnout.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who hears of applied tables: listeners (every table, in order) and one-shot waiters for a
 * revision ({@link RouteStore#whenApplied}), so callers and tests wait on an event, not a poll.
 */
final class AppliedListeners {

    private static final Logger LOG = Logger.getLogger(AppliedListeners.class.getName());

    private record Waiter(long revision, Promise<RouteTable> promise) {}

    private final List<Consumer<RouteTable>> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>(); // guarded by this

    void add(Consumer<RouteTable> listener) {
        listeners.add(listener);
    }

    /**
     * {@code current} is read under the lock: a store makes a table current before it calls
     * {@link #applied}, so either the table is seen here or the waiter is seen there.
     */
    synchronized Future<RouteTable> when(long revision, Supplier<RouteTable> current) {
        RouteTable table = current.get();
        if (table != null && table.revision() >= revision) return Future.succeededFuture(table);
        Promise<RouteTable> promise = Promise.promise();
        waiters.add(new Waiter(revision, promise));
        return promise.future();
    }

    /** Call after the table is current. A failing listener is logged and does not stop the others. */
    void applied(RouteTable table) {
        for (Consumer<RouteTable> listener : listeners) {
            try {
                listener.accept(table);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a route listener failed on revision " + table.revision(), e);
            }
        }
        synchronized (this) {
            waiters.removeIf(waiter -> waiter.revision() <= table.revision() && waiter.promise().tryComplete(table));
        }
    }

    synchronized void close() {
        waiters.forEach(waiter -> waiter.promise().tryFail("the store is closed"));
        waiters.clear();
    }
}
