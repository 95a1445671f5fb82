package dev.turnout.rollout.store;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rollouts in this process, with the Redis store's semantics (compare-and-set, one active rollout
 * per alias, the fence check, a lease that expires on {@code clock}), so the engine behaves the
 * same on either. Every method holds the instance's lock: rollouts change a few times a minute,
 * not per request. Futures are returned completed.
 */
final class MemoryRolloutStore implements RolloutStore {

    private record Lease(String owner, long token, Instant expires) {}

    private final Clock clock;
    private final TreeMap<String, StoredRollout> stored = new TreeMap<>(); // ids sort by creation time
    private final Map<String, ActiveRollout> active = new TreeMap<>(); // by id, as Redis's are listed
    private Lease lease;
    private long fence;

    /** {@code clock} decides when a lease expires; tests pass one they move. */
    MemoryRolloutStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public Future<Void> start() {
        return Future.succeededFuture();
    }

    @Override
    public synchronized Future<StoredRollout> create(String id, String json, ActiveRollout active) {
        try {
            StoredRollout created = new StoredRollout(id, 1, json);
            RolloutChecks.sameId(id, active);
            if (stored.containsKey(id)) return Future.failedFuture(new RolloutConflictException(stored.get(id).revision()));
            checkAlias(id, active);
            if (stored.size() >= MAX_STORED) trim();
            stored.put(id, created);
            if (active != null) this.active.put(id, active);
            return Future.succeededFuture(created);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
    }

    private void trim() {
        String oldest = stored.keySet().stream().filter(id -> !active.containsKey(id)).findFirst()
                .orElseThrow(RolloutChecks::allActive);
        stored.remove(oldest);
    }

    private void checkAlias(String id, ActiveRollout wanted) {
        if (wanted == null) return;
        for (ActiveRollout other : active.values()) {
            if (!other.id().equals(id) && other.alias().equals(wanted.alias())) throw new AliasBusyException(other.id());
        }
    }

    @Override
    public synchronized Future<Optional<StoredRollout>> get(String id) {
        return Future.succeededFuture(Optional.ofNullable(stored.get(requireNonNull(id, "id"))));
    }

    @Override
    public synchronized Future<List<StoredRollout>> list(int limit) {
        return Future.succeededFuture(stored.descendingMap().values().stream()
                .limit(Math.max(0, Math.min(limit, MAX_STORED))).toList());
    }

    @Override
    public synchronized Future<List<ActiveRollout>> active() {
        return Future.succeededFuture(List.copyOf(active.values()));
    }

    @Override
    public synchronized Future<StoredRollout> write(String id, long expectedRevision, String json, ActiveRollout active, long fence) {
        try {
            StoredRollout.checkId(id);
            StoredRollout.checkJson(json);
            RolloutChecks.sameId(id, active);
            RolloutChecks.fence(fence);
            if (fence > 0 && (currentLease() == null || currentLease().token() != fence)) {
                return Future.failedFuture(new FencedOutException(fence));
            }
            StoredRollout current = stored.get(id);
            if (current == null) return Future.failedFuture(new RolloutConflictException(0));
            if (current.revision() != expectedRevision) return Future.failedFuture(new RolloutConflictException(current.revision()));
            checkAlias(id, active);
            StoredRollout written = new StoredRollout(id, current.revision() + 1, json);
            stored.put(id, written);
            if (active == null) this.active.remove(id);
            else this.active.put(id, active);
            return Future.succeededFuture(written);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
    }

    @Override
    public synchronized Future<Long> acquireLease(String owner, Duration ttl) {
        try {
            RolloutChecks.owner(owner);
            RolloutChecks.ttl(ttl);
            Lease held = currentLease();
            if (held != null && !held.owner().equals(owner)) return Future.succeededFuture(0L);
            long token = held != null ? held.token() : ++fence;
            lease = new Lease(owner, token, clock.instant().plus(ttl));
            return Future.succeededFuture(token);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
    }

    @Override
    public synchronized Future<Void> releaseLease(String owner) {
        Lease held = currentLease();
        if (held != null && held.owner().equals(owner)) lease = null;
        return Future.succeededFuture();
    }

    @Override
    public synchronized Future<Optional<String>> leaseHolder() {
        Lease held = currentLease();
        return Future.succeededFuture(held == null ? Optional.empty() : Optional.of(held.owner()));
    }

    /** The lease unless it expired, as Redis's PX drops it. */
    private Lease currentLease() {
        return lease != null && clock.instant().isBefore(lease.expires()) ? lease : null;
    }

    @Override
    public long unreadable() {
        return 0; // nothing reaches this store but validated records
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
