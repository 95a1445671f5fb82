package dev.turnout.probe;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One instance's probes; synchronized, since runs finish on worker threads. */
final class MemoryProbeStore implements ProbeStore {

    private final Map<String, ProbeSpec> specs = new LinkedHashMap<>();
    private final Map<String, LinkedList<ProbeRun>> runs = new HashMap<>();
    private final Map<String, ProbeRun> baselines = new HashMap<>();

    @Override
    public synchronized Future<Void> put(ProbeSpec spec) {
        if (!specs.containsKey(spec.name()) && specs.size() >= MAX_PROBES) {
            return Future.failedFuture(new IllegalStateException("at most " + MAX_PROBES + " probes; delete one first"));
        }
        specs.put(spec.name(), spec);
        return Future.succeededFuture();
    }

    @Override
    public synchronized Future<Optional<ProbeSpec>> get(String name) {
        return Future.succeededFuture(Optional.ofNullable(specs.get(name)));
    }

    @Override
    public synchronized Future<List<ProbeSpec>> list() {
        return Future.succeededFuture(List.copyOf(specs.values()));
    }

    @Override
    public synchronized Future<Boolean> delete(String name) {
        runs.remove(name);
        baselines.keySet().removeIf(key -> key.startsWith(name + "\n"));
        return Future.succeededFuture(specs.remove(name) != null);
    }

    @Override
    public synchronized Future<Void> addRun(ProbeRun run) {
        LinkedList<ProbeRun> kept = runs.computeIfAbsent(run.probe(), name -> new LinkedList<>());
        kept.addFirst(run);
        while (kept.size() > MAX_RUNS) kept.removeLast();
        return Future.succeededFuture();
    }

    @Override
    public synchronized Future<List<ProbeRun>> runs(String probe, int limit) {
        List<ProbeRun> kept = runs.getOrDefault(probe, new LinkedList<>());
        return Future.succeededFuture(new ArrayList<>(kept.subList(0, Math.min(Math.max(limit, 0), kept.size()))));
    }

    @Override
    public synchronized Future<Optional<ProbeRun>> baseline(String probe, String version) {
        return Future.succeededFuture(Optional.ofNullable(baselines.get(probe + "\n" + version)));
    }

    @Override
    public synchronized Future<Void> setBaseline(String probe, String version, ProbeRun run) {
        baselines.put(probe + "\n" + version, run);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
