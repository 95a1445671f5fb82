package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Golden sets in this process, for a gateway without Redis; lost on restart. */
final class MemoryGoldenSetStore implements GoldenSetStore {

    private final ConcurrentSkipListMap<String, GoldenSet> sets = new ConcurrentSkipListMap<>();

    @Override
    public synchronized Future<Void> put(GoldenSet set) {
        requireNonNull(set, "set");
        if (!sets.containsKey(set.name()) && sets.size() >= MAX_SETS) return Future.failedFuture(GoldenSetStore.full(set.name()));
        sets.put(set.name(), set);
        return Future.succeededFuture();
    }

    @Override
    public Future<Optional<GoldenSet>> get(String name) {
        return Future.succeededFuture(Optional.ofNullable(sets.get(requireNonNull(name, "name"))));
    }

    @Override
    public Future<List<String>> list() {
        return Future.succeededFuture(sets.keySet().stream().limit(MAX_SETS).toList());
    }

    @Override
    public synchronized Future<Boolean> delete(String name) {
        return Future.succeededFuture(sets.remove(requireNonNull(name, "name")) != null);
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
