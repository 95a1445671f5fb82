package dev.turnout.proxy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies the gateway may hold at once, across every connection and event
 * loop ({@code server.maxBufferedBytes}). Without it, many clients each sending most of a large
 * body exhaust the heap although every single body is under {@code maxBodyBytes}.
 * <p>
 * A request reserves its declared {@code Content-Length} before a byte is kept, so a body that
 * cannot fit is refused at once; a chunked body reserves the buffer it grows into, chunk by
 * chunk. The reservation is what the buffer may occupy, never less than the bytes held.
 */
public final class BodyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public BodyBudget(long limit) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive: " + limit);
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    /** Bytes reserved by requests in progress. */
    public long used() {
        return used.get();
    }

    /** Requests refused because their body did not fit. */
    public long refused() {
        return refused.get();
    }

    /** {@code turnout_buffered_request_bytes} and {@code turnout_overloaded_requests_total}; no labels. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("turnout_buffered_request_bytes", used, AtomicLong::get)
                .description("Request-body bytes reserved across all connections (server.maxBufferedBytes caps it)")
                .baseUnit("bytes").register(registry);
        FunctionCounter.builder("turnout_overloaded_requests", refused, AtomicLong::get)
                .description("Requests refused with 503 overloaded because their body did not fit the buffer budget")
                .register(registry);
    }

    Reservation reservation() {
        return new Reservation();
    }

    private boolean take(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) return false;
            if (used.compareAndSet(now, now + bytes)) return true;
        }
    }

    /** One request's share; touched only from the request's event loop. Release is idempotent. */
    final class Reservation {
        private long held;

        /** Grows the share to {@code bytes}; false (counted as a refusal) when the budget has no room. */
        boolean cover(long bytes) {
            if (bytes <= held) return true;
            if (!take(bytes - held)) {
                refused.incrementAndGet();
                return false;
            }
            held = bytes;
            return true;
        }

        void release() {
            if (held == 0) return;
            used.addAndGet(-held);
            held = 0;
        }
    }
}
