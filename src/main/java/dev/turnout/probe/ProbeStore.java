package dev.turnout.probe;

import dev.turnout.store.RedisStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * Probes (at most {@link #MAX_PROBES}), their runs (the newest {@link #MAX_RUNS} per probe, each with at
 * most {@code ProbeRunner.MAX_KEPT_ANSWER_CHARS} of answers per version) and each version's baseline run; in
 * memory beside an in-memory route store, in Redis beside a Redis one. Runs read back from Redis
 * are hostile input: one that cannot be read is skipped.
 */
public interface ProbeStore {

    int MAX_RUNS = 20;
    int MAX_PROBES = 100;

    Future<Void> put(ProbeSpec spec);

    Future<Optional<ProbeSpec>> get(String name);

    Future<List<ProbeSpec>> list();

    /** Forgets the probe, its runs and its baselines; false when there was none. */
    Future<Boolean> delete(String name);

    Future<Void> addRun(ProbeRun run);

    /** Newest first. */
    Future<List<ProbeRun>> runs(String probe, int limit);

    /** The run (holding that version) the version is compared with, if it has one. */
    Future<Optional<ProbeRun>> baseline(String probe, String version);

    Future<Void> setBaseline(String probe, String version, ProbeRun run);

    Future<Void> close();

    static ProbeStore memory() {
        return new MemoryProbeStore();
    }

    static ProbeStore redis(Vertx vertx, RedisStoreOptions options) {
        return new RedisProbeStore(vertx, options);
    }
}
