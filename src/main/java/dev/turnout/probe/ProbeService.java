package dev.turnout.probe;

import dev.turnout.Echo;
import dev.turnout.golden.GoldenSet;
import dev.turnout.golden.GoldenSetStore;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs probes: on demand on the instance asked, and on their schedule on the one instance that
 * holds the rollout leader lease. Each version's run is compared with the version's baseline (its
 * first run, or one an operator pinned); the run is stored, exported as
 * {@code turnout_probe_pass_ratio{probe,version}} and {@code turnout_probe_drift{probe,version}}, and
 * logged as one JSON line on the {@code turnout.probe} logger.
 */
public final class ProbeService {

    private static final Logger LOG = Logger.getLogger(ProbeService.class.getName());
    private static final Logger RUNS = Logger.getLogger("turnout.probe");
    /** Gauges kept for at most this many probe × version pairs; more are still run and stored, not exported. */
    static final int MAX_GAUGES = 1_000;

    /** The probe or its golden set does not exist (404). */
    public static final class ProbeNotFoundException extends RuntimeException {
        public ProbeNotFoundException(String message) {
            super(message);
        }
    }

    /** A run of this probe is already under way (409). */
    public static final class ProbeBusyException extends RuntimeException {
        public ProbeBusyException(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final Supplier<RouteTable> routes;
    private final GoldenSetStore sets;
    private final ProbeStore store;
    private final ProbeRunner runner;
    private final BooleanSupplier leading;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastScheduled = new ConcurrentHashMap<>();
    private final Map<String, double[]> gauges = new ConcurrentHashMap<>();
    private long timer = -1;

    public ProbeService(Vertx vertx, Supplier<RouteTable> routes, GoldenSetStore sets, ProbeStore store, ProbeRunner runner,
            BooleanSupplier leading, MeterRegistry registry) {
        this.vertx = vertx;
        this.routes = routes;
        this.sets = sets;
        this.store = store;
        this.runner = runner;
        this.leading = leading;
        this.registry = registry;
    }

    /** Checks the schedule every {@code tickMs}; only the leader starts scheduled runs. */
    public ProbeService start(long tickMs) {
        timer = vertx.setPeriodic(tickMs, id -> {
            if (leading.getAsBoolean()) schedule();
        });
        return this;
    }

    public ProbeStore store() {
        return store;
    }

    private void schedule() {
        store.list().onSuccess(specs -> {
            Instant now = clock.instant();
            for (ProbeSpec spec : specs) {
                if (spec.everySeconds() <= 0 || running.contains(spec.name())) continue;
                Instant last = lastScheduled.get(spec.name());
                if (last == null) {
                    // A new leader learns when the probe last ran from its stored runs, so a handover does not run it twice.
                    lastScheduled.put(spec.name(), Instant.EPOCH);
                    store.runs(spec.name(), 1).onSuccess(runs -> {
                        if (!runs.isEmpty()) lastScheduled.put(spec.name(), runs.get(0).startedAt());
                    });
                    continue;
                }
                if (last.plusSeconds(spec.everySeconds()).isAfter(now)) continue;
                lastScheduled.put(spec.name(), now);
                run(spec, spec.targets(routes.get()), "schedule").onFailure(error ->
                        LOG.log(Level.WARNING, "scheduled run of probe " + spec.name() + " failed", error));
            }
        }).onFailure(error -> LOG.fine("probe schedule: the store is unreachable: " + error.getMessage()));
    }

    /** Runs the probe now against its own targets. */
    public Future<ProbeRun> runNow(String name) {
        return store.get(name).compose(spec -> spec.isEmpty()
                ? Future.failedFuture(new ProbeNotFoundException("no probe named '" + Echo.cut(name) + "'"))
                : run(spec.get(), spec.get().targets(routes.get()), "manual"));
    }

    /** Runs the probe against {@code versions} (a rollout's gate: the candidate and the baseline versions). */
    public Future<ProbeRun> runAgainst(String name, List<String> versions, String trigger) {
        return store.get(name).compose(spec -> spec.isEmpty()
                ? Future.failedFuture(new ProbeNotFoundException("no probe named '" + Echo.cut(name) + "'"))
                : run(spec.get(), versions, trigger));
    }

    private Future<ProbeRun> run(ProbeSpec spec, List<String> versions, String trigger) {
        if (!running.add(spec.name())) {
            return Future.failedFuture(new ProbeBusyException("probe '" + spec.name() + "' is running already; its result comes shortly"));
        }
        Instant started = clock.instant();
        String id = "run-" + Long.toString(started.toEpochMilli(), 36) + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        return sets.get(spec.set()).compose(set -> {
            if (set.isEmpty()) {
                return Future.<ProbeRun>failedFuture(new ProbeNotFoundException("probe '" + spec.name() + "' names golden set '"
                        + spec.set() + "', which does not exist; PUT /admin/golden-sets/" + spec.set() + " first"));
            }
            RouteTable table = routes.get();
            List<ModelVersion> targets = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (String version : versions) {
                ModelVersion found = table.version(version);
                if (found == null) unknown.add(version);
                else targets.add(found);
            }
            if (targets.isEmpty()) {
                return Future.<ProbeRun>failedFuture(new ProbeNotFoundException("probe '" + spec.name()
                        + "' has no version to run against" + (unknown.isEmpty() ? "" : ": unknown " + unknown)));
            }
            // One version after the other: a probe's load on the fleet is its concurrency, not versions × concurrency.
            Future<List<VersionRun>> chain = Future.succeededFuture(new ArrayList<>());
            for (ModelVersion target : targets) {
                chain = chain.compose(done -> runner.run(spec, set.get(), target)
                        .compose(run -> judged(spec.name(), id, run))
                        .map(run -> {
                            done.add(run);
                            return done;
                        }));
            }
            return chain.map(runs -> new ProbeRun(id, spec.name(), spec.set(), trigger, started, clock.instant(), runs));
        }).compose(run -> store.addRun(run).map(run)).onSuccess(this::exported).onComplete(done -> running.remove(spec.name()));
    }

    /** The run compared with the version's baseline; a version's first run becomes its baseline. */
    private Future<VersionRun> judged(String probe, String runId, VersionRun run) {
        return store.baseline(probe, run.version()).compose(baseline -> {
            if (baseline.isEmpty()) {
                ProbeRun only = new ProbeRun(runId, probe, "", "baseline", clock.instant(), clock.instant(), List.of(run));
                return store.setBaseline(probe, run.version(), only).map(run);
            }
            VersionRun then = baseline.get().version(run.version());
            if (then == null) return Future.succeededFuture(run);
            return vertx.executeBlocking(() -> run.withDrift(Drift.judge(baseline.get().id(), then, run, runner.similarity())), false);
        });
    }

    /** Pins one of the probe's kept runs as the baseline of {@code version}. */
    public Future<ProbeRun> pinBaseline(String probe, String version, String runId) {
        return store.runs(probe, ProbeStore.MAX_RUNS).compose(runs -> {
            Optional<ProbeRun> run = runs.stream().filter(one -> one.id().equals(runId) && one.version(version) != null).findFirst();
            if (run.isEmpty()) {
                return Future.failedFuture(new ProbeNotFoundException("probe '" + Echo.cut(probe) + "' keeps no run '"
                        + Echo.cut(runId) + "' of version '" + Echo.cut(version) + "' (it keeps the newest " + ProbeStore.MAX_RUNS + ")"));
            }
            return store.setBaseline(probe, version, run.get()).map(run.get());
        });
    }

    private void exported(ProbeRun run) {
        RUNS.info(ProbeCodec.toTree(run, false).toString());
        for (VersionRun version : run.versions()) {
            String key = run.probe() + "\n" + version.version();
            double[] values = gauges.get(key);
            if (values == null && gauges.size() < MAX_GAUGES) {
                double[] fresh = new double[] {Double.NaN, 0};
                if (gauges.putIfAbsent(key, fresh) == null) {
                    Gauge.builder("turnout_probe_pass_ratio", fresh, held -> held[0]).tags("probe", run.probe(), "version", version.version())
                            .description("Share of a probe's golden items the version passed at its latest run").register(registry);
                    Gauge.builder("turnout_probe_drift", fresh, held -> held[1]).tags("probe", run.probe(), "version", version.version())
                            .description("1 when the version's latest run drifted from its baseline").register(registry);
                }
                values = gauges.get(key);
            }
            if (values == null) continue;
            values[0] = version.passRate();
            values[1] = version.drift() != null && version.drift().drifted() ? 1 : 0;
        }
    }

    public Future<Void> close() {
        if (timer >= 0) vertx.cancelTimer(timer);
        return runner.close().eventually(store::close);
    }
}
