package dev.turnout.shadow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the shadows in flight, globally and per version, across all event loops. A shadow that
 * does not fit is dropped, never queued: queueing would hold memory and connections for traffic
 * that changes nothing for clients.
 */
public final class ShadowLimits {

    private final int global;
    private final int perVersion;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();

    public ShadowLimits(int global, int perVersion) {
        this.global = global;
        this.perVersion = perVersion;
    }

    /** Null when acquired; else why not ({@code global_limit} or {@code version_limit}). */
    String tryAcquire(String version) {
        if (inFlight.incrementAndGet() > global) {
            inFlight.decrementAndGet();
            return "global_limit";
        }
        AtomicInteger count = byVersion.computeIfAbsent(version, v -> new AtomicInteger());
        if (count.incrementAndGet() > perVersion) {
            count.decrementAndGet();
            inFlight.decrementAndGet();
            return "version_limit";
        }
        return null;
    }

    void release(String version) {
        byVersion.get(version).decrementAndGet();
        inFlight.decrementAndGet();
    }
}
