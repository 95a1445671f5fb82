package dev.turnout.shadow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all shadow captures may hold together ({@code shadow.pendingDiffBytes}): a capture
 * reserves its buffer as it grows, while the answer streams in, and keeps the reservation while it
 * waits for the slower side of its pair and then for the differ; the differ gives it back once the
 * pair is compared. A reservation that does not fit is refused, never waited for: the pair is shed
 * and counted. Shared by every event loop and the differ thread.
 */
final class ShadowBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    ShadowBudget(long limit) {
        if (limit <= 0) throw new IllegalArgumentException("shadow byte budget must be > 0, got " + limit);
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; never blocks. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > limit) return false;
            if (held.compareAndSet(now, now + bytes)) {
                peak.accumulateAndGet(now + bytes, Math::max);
                return true;
            }
        }
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    /** The most ever held at once: what tests compare with the limit. */
    long peak() {
        return peak.get();
    }

    long limit() {
        return limit;
    }
}
