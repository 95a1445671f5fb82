package dev.turnout.proxy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client connections the data plane keeps open at once, across every event loop
 * ({@code server.maxConnections}). Each open connection costs heap (a few KiB) and a file
 * descriptor even while it sends nothing, and the header timeout only bounds how long each one
 * lasts, not how many a client can open meanwhile: past the limit a new connection is closed as
 * soon as it is accepted, before anything is read from it.
 */
public final class ConnectionLimit {

    private final int limit;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    public ConnectionLimit(int limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive: " + limit);
        this.limit = limit;
    }

    /** Takes a place for a new connection; false (counted) when the limit is reached. */
    boolean tryOpen() {
        while (true) {
            int now = open.get();
            if (now >= limit) {
                refused.incrementAndGet();
                return false;
            }
            if (open.compareAndSet(now, now + 1)) return true;
        }
    }

    /** Gives back the place of a connection {@link #tryOpen} let in. */
    void closed() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    public long refused() {
        return refused.get();
    }

    /** {@code turnout_open_connections} and {@code turnout_refused_connections_total}; no labels. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("turnout_open_connections", open, AtomicInteger::get)
                .description("Client connections open on the data plane (server.maxConnections caps it)")
                .register(registry);
        FunctionCounter.builder("turnout_refused_connections", refused, AtomicLong::get)
                .description("Client connections closed on arrival because server.maxConnections were open")
                .register(registry);
    }
}
