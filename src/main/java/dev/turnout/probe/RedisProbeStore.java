package dev.turnout.probe;

import dev.turnout.Echo;
import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Probes in Redis, under the routes' prefix and hash tag: {@code {prefix}:probes} (hash: name → spec),
 * {@code {prefix}:probe:<name>:runs} (list, newest first, trimmed to {@link #MAX_RUNS}) and
 * {@code {prefix}:probe:<name>:baselines} (hash: version → run). A value that cannot be read is skipped.
 */
final class RedisProbeStore implements ProbeStore {

    private static final Logger LOG = Logger.getLogger(RedisProbeStore.class.getName());

    private final RedisLink link;
    private final RedisCalls calls;
    private final String tag;

    RedisProbeStore(Vertx vertx, RedisStoreOptions options) {
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
        this.tag = "{" + options.prefix() + "}";
        this.calls = new RedisCalls(vertx.getOrCreateContext(), options.prefix(), link);
    }

    private String specs() {
        return tag + ":probes";
    }

    private String runsKey(String probe) {
        return tag + ":probe:" + probe + ":runs";
    }

    private String baselinesKey(String probe) {
        return tag + ":probe:" + probe + ":baselines";
    }


    @Override
    public Future<Void> put(ProbeSpec spec) {
        return calls.commands().compose(redis -> calls.bridge(redis.hlen(specs())).compose(count -> count >= MAX_PROBES
                ? calls.bridge(redis.hexists(specs(), spec.name())).compose(exists -> exists ? Future.succeededFuture()
                        : Future.failedFuture(new IllegalStateException("at most " + MAX_PROBES + " probes; delete one first")))
                : Future.succeededFuture())
                .compose(ok -> calls.bridge(redis.hset(specs(), spec.name(), ProbeSpecs.toTree(spec).toString()))))
                .mapEmpty();
    }

    @Override
    public Future<Optional<ProbeSpec>> get(String name) {
        return calls.commands().compose(redis -> calls.bridge(redis.hget(specs(), name))).map(json -> Optional.ofNullable(spec(name, json)));
    }

    @Override
    public Future<List<ProbeSpec>> list() {
        return calls.commands().compose(redis -> calls.bridge(redis.hgetall(specs()))).map(all -> {
            List<ProbeSpec> specs = new ArrayList<>();
            for (Map.Entry<String, String> entry : all.entrySet()) {
                if (specs.size() >= MAX_PROBES) break;
                ProbeSpec spec = spec(entry.getKey(), entry.getValue());
                if (spec != null) specs.add(spec);
            }
            return specs;
        });
    }

    /** A stored spec goes through the same parser as a PUT; one that fails it is skipped. */
    private static ProbeSpec spec(String name, String json) {
        if (json == null) return null;
        try {
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode)
                    dev.turnout.route.RouteCodec.JSON.readTree(json);
            node.remove("name");
            return ProbeSpecs.parse(name, node.toString());
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.warning("skipping unreadable probe '" + Echo.cut(name) + "' in Redis: " + Echo.cut(e.getMessage()));
            return null;
        }
    }

    @Override
    public Future<Boolean> delete(String name) {
        return calls.commands().compose(redis -> calls.bridge(redis.hdel(specs(), name))
                .compose(removed -> calls.bridge(redis.del(runsKey(name), baselinesKey(name))).map(ignored -> removed > 0)));
    }

    @Override
    public Future<Void> addRun(ProbeRun run) {
        String json = ProbeCodec.toTree(run, true).toString();
        return calls.commands().compose(redis -> calls.bridge(redis.lpush(runsKey(run.probe()), json))
                .compose(ignored -> calls.bridge(redis.ltrim(runsKey(run.probe()), 0, MAX_RUNS - 1)))).mapEmpty();
    }

    @Override
    public Future<List<ProbeRun>> runs(String probe, int limit) {
        int bounded = Math.max(0, Math.min(limit, MAX_RUNS));
        if (bounded == 0) return Future.succeededFuture(List.of());
        return calls.commands().compose(redis -> calls.bridge(redis.lrange(runsKey(probe), 0, bounded - 1))).map(values -> {
            List<ProbeRun> runs = new ArrayList<>();
            for (String value : values) {
                ProbeRun run = run(value);
                if (run != null) runs.add(run);
            }
            return runs;
        });
    }

    private static ProbeRun run(String json) {
        if (json == null) return null;
        try {
            return ProbeCodec.read(json);
        } catch (IllegalArgumentException e) {
            LOG.warning("skipping an unreadable probe run in Redis: " + Echo.cut(e.getMessage()));
            return null;
        }
    }

    @Override
    public Future<Optional<ProbeRun>> baseline(String probe, String version) {
        return calls.commands().compose(redis -> calls.bridge(redis.hget(baselinesKey(probe), version)))
                .map(json -> Optional.ofNullable(run(json)));
    }

    @Override
    public Future<Void> setBaseline(String probe, String version, ProbeRun run) {
        return calls.commands().compose(redis -> calls.bridge(redis.hset(baselinesKey(probe), version, ProbeCodec.toTree(run, true).toString())))
                .mapEmpty();
    }

    @Override
    public Future<Void> close() {
        return calls.closeLink();
    }
}
