package dev.turnout.rollout.engine;

import dev.turnout.evidence.ArmEvidence;
import dev.turnout.evidence.EvidenceRecorder;
import dev.turnout.evidence.EvidenceStore;
import dev.turnout.evidence.StepEvidence;
import dev.turnout.evidence.StepRef;
import dev.turnout.evidence.Tracked;
import dev.turnout.judge.StepDecision;
import dev.turnout.route.Alias;
import dev.turnout.route.RoutePolicy;
import dev.turnout.route.RouteTable;
import dev.turnout.route.RouteValidator;
import dev.turnout.rollout.InvalidRolloutException;
import dev.turnout.rollout.OnFailure;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.RolloutSpecs;
import dev.turnout.rollout.StepWeights;
import dev.turnout.rollout.store.ActiveRollout;
import dev.turnout.rollout.store.FencedOutException;
import dev.turnout.rollout.store.RolloutConflictException;
import dev.turnout.rollout.store.RolloutStore;
import dev.turnout.rollout.store.StoredRollout;
import dev.turnout.store.ChangeInfo;
import dev.turnout.store.RevisionConflictException;
import dev.turnout.store.RouteStore;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs rollouts on every instance. Each instance, every {@code look} interval:
 * <ol>
 *   <li>reads the active rollouts and tells its {@link EvidenceRecorder} what to record (every
 *       instance records and publishes evidence; only the leader judges);</li>
 *   <li>tries to take or renew the leader lease; the holder, with its fencing token, looks at each
 *       active rollout: finishes a pending route change, pauses when someone else changed the alias,
 *       or judges the step on the fleet's merged evidence and moves on, promotes, rolls back or pauses.</li>
 * </ol>
 * Every rollout write is a compare-and-set on its revision, and the leader's writes also carry its
 * fencing token, so a leader that lost its lease (a long pause, a partition) can write nothing after
 * another took over. Route changes go through the route store like an operator's, authored
 * {@code rollout:<id>}, with the judgement as their reason.
 *
 * <p>Everything here runs on one Vert.x context; nothing touches the data plane's event loops except
 * the recorder's volatile tracking map. Bootstrap judgements run on a worker thread.
 */
public final class RolloutEngine {

    private static final Logger LOG = Logger.getLogger(RolloutEngine.class.getName());

    /** Operator actions on a rollout ({@code POST /admin/rollouts/{id}/<action>}). */
    public enum Action {
        PAUSE, RESUME, ABORT, PROMOTE;

        public static Action fromLabel(String label) {
            for (Action action : values()) {
                if (action.name().toLowerCase(Locale.ROOT).equals(label)) return action;
            }
            return null;
        }
    }

    /**
     * @param look  how often each instance reads the active rollouts and the leader judges them
     * @param lease how long the leader lease lasts without renewal: a dead leader's successor takes over within it
     */
    public record Timing(Duration look, Duration lease) {
        public Timing {
            if (look.isNegative() || look.isZero()) throw new IllegalArgumentException("look: must be positive");
            if (lease.compareTo(look.multipliedBy(2)) < 0) throw new IllegalArgumentException("lease: at least twice look");
        }
    }

    /** A rollout this instance has read, and whether it was read while the store was reachable. */
    public record Seen(Rollout rollout, Instant readAt) {}

    /** An operator action that does not apply to the rollout's state (409). */
    public static final class ActionRefusedException extends RuntimeException {
        public ActionRefusedException(String message) {
            super(message);
        }
    }

    /** The leader is writing a route change of the rollout; an action waits until it is done (409 if it takes long). */
    public static final class ChangeInFlightException extends RuntimeException {
        public ChangeInFlightException(String message) {
            super(message);
        }
    }

    /** No rollout has the id (404). */
    public static final class RolloutNotFoundException extends RuntimeException {
        public RolloutNotFoundException(String id) {
            super("no rollout with id '" + id + "'");
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final RouteStore routes;
    private final RoutePolicy policy;
    private final RolloutStore store;
    private final EvidenceStore evidence;
    private final EvidenceRecorder recorder;
    private final RolloutMetrics metrics;
    private final String runId;
    private final Timing timing;
    private final Clock clock;
    private volatile Map<String, Seen> seen = Map.of();
    private volatile Instant storeDownSince;
    private volatile boolean leading;
    private final java.util.Set<String> warnedUnreadable = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> gatesRunning = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile GateRunner gates = GateRunner.NONE;
    private volatile long token;
    private boolean ticking;
    private long timer = -1;

    RolloutEngine(Vertx vertx, RouteStore routes, RoutePolicy policy, RolloutStore store, EvidenceStore evidence,
            EvidenceRecorder recorder, RolloutMetrics metrics, String runId, Timing timing, Clock clock) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.routes = routes;
        this.policy = policy;
        this.store = store;
        this.evidence = evidence;
        this.recorder = recorder;
        this.metrics = metrics;
        this.runId = runId;
        this.timing = timing;
        this.clock = clock;
    }

    public static Future<RolloutEngine> start(Vertx vertx, RouteStore routes, RoutePolicy policy, RolloutStore store,
            EvidenceStore evidence, EvidenceRecorder recorder, RolloutMetrics metrics, String runId, Timing timing) {
        RolloutEngine engine = new RolloutEngine(vertx, routes, policy, store, evidence, recorder, metrics, runId, timing,
                Clock.systemUTC());
        Promise<RolloutEngine> started = Promise.promise();
        engine.context.runOnContext(ignored -> {
            engine.timer = vertx.setPeriodic(0, timing.look().toMillis(), id -> engine.tick());
            started.complete(engine);
        });
        return started.future();
    }

    /** Who runs rollouts' gate probes (set once probes are up: they follow the same leader). */
    public void useGates(GateRunner runner) {
        this.gates = java.util.Objects.requireNonNull(runner, "runner");
    }

    /** Whether this instance holds the leader lease, as of its last look. */
    public boolean leading() {
        return leading;
    }

    /** When this instance last found the store unreachable, or null while it answers. */
    public Instant storeDownSince() {
        return storeDownSince;
    }

    // ---------------------------------------------------------------- every instance

    private void tick() {
        if (ticking) return; // a slow look (a bootstrap, a slow store) is never overlapped by the next
        ticking = true;
        store.active()
                .compose(active -> {
                    List<Tracked> tracked = new ArrayList<>();
                    for (ActiveRollout rollout : active) {
                        tracked.add(new Tracked(rollout.id(), rollout.alias(), rollout.candidate(), rollout.stepKey()));
                    }
                    recorder.track(tracked);
                    return readAll(active);
                })
                .compose(read -> {
                    if (storeDownSince != null) {
                        LOG.info("the rollout store answers again (unreachable since " + storeDownSince + ")");
                        storeDownSince = null;
                    }
                    metrics.update(read, routes.current());
                    return store.acquireLease(runId, timing.lease()).compose(token -> {
                        leading = token > 0;
                        this.token = token;
                        metrics.leading(leading);
                        return leading ? lead(token, read) : Future.<Void>succeededFuture();
                    });
                })
                .onFailure(this::lookFailed)
                .onComplete(done -> ticking = false);
    }

    private void lookFailed(Throwable error) {
        if (error instanceof StoreUnavailableException) {
            if (storeDownSince == null) {
                storeDownSince = clock.instant();
                LOG.warning("rollouts paused: the rollout store is unreachable (" + error.getMessage()
                        + "); evidence keeps accumulating on each instance and nothing moves until it is back");
            }
            return;
        }
        LOG.log(Level.WARNING, "rollout look failed", error);
    }

    private Future<List<Rollout>> readAll(List<ActiveRollout> active) {
        List<Future<Optional<StoredRollout>>> reads = new ArrayList<>();
        for (ActiveRollout rollout : active) reads.add(store.get(rollout.id()));
        return Future.all(reads).map(all -> {
            List<Rollout> read = new ArrayList<>();
            Map<String, Seen> next = new LinkedHashMap<>(seen);
            Instant now = clock.instant();
            for (Future<Optional<StoredRollout>> future : reads) {
                Optional<StoredRollout> stored = future.result();
                if (stored.isEmpty()) continue;
                Rollout rollout = decodeOrNull(stored.get());
                if (rollout == null) continue;
                read.add(rollout);
                next.remove(rollout.id());
                next.put(rollout.id(), new Seen(rollout, now));
            }
            // Bounded: the active ones, plus the most recently seen others, so a GET while the store is down still answers.
            while (next.size() > Math.max(64, read.size() + 16)) next.remove(next.keySet().iterator().next());
            seen = Collections.unmodifiableMap(next); // insertion order: the oldest seen go first
            return read;
        });
    }

    /** A document that cannot be read is skipped; it is logged once per revision, not at every look. */
    private Rollout decodeOrNull(StoredRollout stored) {
        try {
            return RolloutCodec.read(stored.id(), stored.revision(), stored.json());
        } catch (IllegalArgumentException e) {
            if (warnedUnreadable.add(stored.id() + "@" + stored.revision())) {
                if (warnedUnreadable.size() > 1_000) warnedUnreadable.clear();
                LOG.warning("skipping an unreadable rollout document: " + e.getMessage());
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- the leader

    /** Looks at each rollout of the active index in turn; one that fails does not hold up the others. */
    private Future<Void> lead(long token, List<Rollout> active) {
        Future<Void> chain = Future.succeededFuture();
        for (Rollout rollout : active) {
            chain = chain.compose(ignored -> look(rollout, token).recover(error -> {
                if (error instanceof FencedOutException) {
                    leading = false;
                    return Future.failedFuture(error);
                }
                if (!(error instanceof RolloutConflictException)) LOG.log(Level.WARNING, "rollout " + rollout.id() + ": look failed", error);
                return Future.succeededFuture(); // a conflict: someone wrote first; the next look reads it
            }));
        }
        return chain.recover(error -> error instanceof FencedOutException ? Future.succeededFuture() : Future.failedFuture(error));
    }

    private Future<Void> look(Rollout rollout, long token) {
        Instant now = clock.instant();
        RouteTable table = routes.current();
        Alias current = table.alias(rollout.spec().alias());
        if (rollout.pending() != null) return applyPending(rollout, token, now);
        if (rollout.state().isFinal()) return save(touched(rollout, now), token).mapEmpty(); // leaves the active index
        if (rollout.state() == RolloutState.PAUSED) return Future.succeededFuture();
        if (rollout.state() == RolloutState.GATING) {
            startGate(rollout);
            return Future.succeededFuture();
        }
        if (!Objects.equals(current, rollout.written())) {
            return save(pausedFor(rollout, now, changedBySomeoneElse(table, current)), token).mapEmpty();
        }
        long sinceLast = rollout.lastLookAt() == null ? 0 : Math.max(0, Duration.between(rollout.lastLookAt(), now).toMillis());
        long lookMs = timing.look().toMillis();
        long elapsed = rollout.stepElapsedMs() + Math.min(sinceLast, 3 * lookMs);
        return gather(rollout).compose(gathered -> vertx.executeBlocking(() ->
                        StepLook.judge(rollout, gathered.current, gathered.pooled, gathered.previousBaseline, elapsed)))
                .compose(result -> decide(rollout, token, result, elapsed, sinceLast > 5 * lookMs ? sinceLast : 0, now));
    }

    /**
     * Runs the gate in the background (a golden set can take a while); its verdict is applied to
     * the rollout as stored by then, and only if it is still gating.
     */
    private void startGate(Rollout rollout) {
        if (!gatesRunning.add(rollout.id())) return;
        List<String> baselineVersions = new ArrayList<>();
        rollout.baseline().split().forEach((version, weight) -> {
            if (weight > 0 && !version.equals(rollout.spec().candidate())) baselineVersions.add(version);
        });
        gates.check(rollout.spec().gate(), rollout.spec().candidate(), baselineVersions, rollout.id())
                // Only as the leader, with its fencing token: one that lost the lease meanwhile drops the
                // verdict, and the next leader runs the gate again (a 0 token would pass as an operator's write).
                .compose(result -> !leading || token <= 0 ? Future.<Void>succeededFuture()
                        : get(rollout.id()).compose(latest -> latest.state() == RolloutState.GATING
                                ? save(gated(latest, result, clock.instant()), token).<Void>mapEmpty()
                                : Future.<Void>succeededFuture()))
                .onFailure(error -> LOG.info("rollout " + rollout.id() + ": gate not decided yet (" + error.getMessage() + ")"))
                .onComplete(done -> gatesRunning.remove(rollout.id()));
    }

    private Rollout gated(Rollout rollout, GateRunner.Result result, Instant now) {
        RolloutSpec spec = rollout.spec();
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        if (result.passed()) {
            metrics.decision("pass");
            draft.log(now, "gate", "passed: " + result.detail());
            Alias current = routes.current().alias(spec.alias());
            draft.state = rollout.step() < 0 ? RolloutState.SHADOWING : RolloutState.RUNNING;
            // A new attempt: the requests seen while gating (all on the baseline) are not the step's evidence.
            draft.enter(rollout.step(), rollout.attempt() + 1, now);
            draft.written = current == null ? rollout.written() : current;
            draft.pending = RolloutAliases.phase(spec, rollout.baseline(), draft.written, rollout.step());
            draft.pendingReason = "rollout " + rollout.id() + ": gate passed (" + result.detail() + "); "
                    + (rollout.step() < 0 ? "shadowing" : stepName(spec, 0) + " at " + percent(spec.steps().get(0).weight()));
            draft.reason = (rollout.step() < 0 ? "shadowing" : stepName(spec, 0)) + ": started after the gate passed";
            return draft.build();
        }
        metrics.decision("fail");
        draft.log(now, "gate", "failed: " + result.detail());
        if (spec.onFailure() == OnFailure.ROLLBACK) {
            metrics.decision("rolled_back");
            draft.state = RolloutState.ROLLED_BACK;
            draft.reason = "rolled back: the gate failed before any traffic moved: " + result.detail();
        } else {
            metrics.decision("paused");
            draft.resumeTo = RolloutState.GATING;
            draft.state = RolloutState.PAUSED;
            draft.reason = "paused (onFailure: pause): the gate failed: " + result.detail();
        }
        return draft.build();
    }

    private record Gathered(StepEvidence current, StepEvidence pooled, ArmEvidence previousBaseline) {}

    /** The current phase's evidence, every phase's pooled (for pairs), and the previous step's baseline arm. */
    private Future<Gathered> gather(Rollout rollout) {
        List<String> keys = rollout.stepKeys();
        List<Future<StepEvidence>> reads = new ArrayList<>();
        for (String key : keys) reads.add(evidence.read(new StepRef(rollout.id(), key)));
        return Future.all(reads).map(all -> {
            StepEvidence pooled = StepEvidence.EMPTY;
            StepEvidence current = StepEvidence.EMPTY;
            ArmEvidence previousBaseline = null;
            for (int i = 0; i < keys.size(); i++) {
                StepEvidence one = reads.get(i).result();
                pooled = pooled.merge(one);
                if (keys.get(i).equals(rollout.stepKey())) current = one;
                else if (one.baseline().requests() > 0 && keys.get(i).startsWith("step")) previousBaseline = one.baseline();
            }
            return new Gathered(current, pooled, previousBaseline);
        });
    }

    private Future<Void> decide(Rollout rollout, long token, StepLook.Result result, long elapsed, long gapMs, Instant now) {
        RolloutSpec spec = rollout.spec();
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        draft.stepElapsedMs = elapsed;
        draft.lastLookAt = now;
        draft.look = result.look();
        if (result.ratioLooked()) draft.ratioLooks++;
        if (gapMs > 0) {
            draft.log(now, "gap", "no look for " + gapMs / 1000.0 + " s (the store unreachable, or no leader); the step's clock"
                    + " stopped meanwhile and the evidence gathered on each instance was kept");
        }
        StepDecision decision = result.decision();
        String phase = phaseName(rollout);
        switch (decision.outcome()) {
            case PASS -> {
                metrics.decision("pass");
                draft.log(now, "pass", phase + ": " + decision.reason());
                int next = rollout.step() + 1;
                Alias current = routes.current().alias(spec.alias());
                if (next < spec.steps().size()) {
                    draft.enter(next, rollout.attempt(), now);
                    draft.state = RolloutState.RUNNING;
                    draft.pending = RolloutAliases.phase(spec, rollout.baseline(), current, next);
                    draft.pendingReason = "rollout " + rollout.id() + ": " + phase + " passed (" + decision.reason() + "); "
                            + stepName(spec, next) + " at " + percent(spec.steps().get(next).weight());
                    draft.reason = stepName(spec, next) + " at " + percent(spec.steps().get(next).weight()) + ": started";
                    draft.log(now, "step", "candidate at " + percent(spec.steps().get(next).weight()));
                } else {
                    metrics.decision("promoted");
                    draft.state = RolloutState.PROMOTED;
                    draft.pending = RolloutAliases.promoted(spec, rollout.baseline(), current);
                    draft.pendingReason = "rollout " + rollout.id() + ": promoted after every step passed (" + decision.reason() + ")";
                    draft.reason = "promoted: every step passed";
                    draft.log(now, "promoted", "the candidate serves 100%");
                }
            }
            case FAIL, TIMED_OUT -> {
                metrics.decision(decision.outcome().label());
                draft.log(now, decision.outcome().label(), phase + ": " + decision.reason());
                if (spec.onFailure() == OnFailure.ROLLBACK) {
                    metrics.decision("rolled_back");
                    draft.state = RolloutState.ROLLED_BACK;
                    draft.pending = rollout.baseline();
                    draft.pendingReason = "rollout " + rollout.id() + ": rolled back, " + phase + " " + decision.outcome().label()
                            + ": " + decision.reason();
                    draft.reason = "rolled back: " + phase + " " + decision.outcome().label() + ": " + decision.reason();
                    draft.log(now, "rolled_back", "the baseline split is restored");
                } else {
                    metrics.decision("paused");
                    draft.resumeTo = rollout.state();
                    draft.state = RolloutState.PAUSED;
                    draft.reason = "paused (onFailure: pause): " + phase + " " + decision.outcome().label() + ": " + decision.reason();
                    draft.log(now, "paused", "onFailure is pause: the split stays as it is until an operator acts");
                }
            }
            case INCONCLUSIVE -> draft.reason = phase + ": " + decision.reason();
        }
        return save(draft.build(), token).compose(saved -> saved.pending() != null ? applyPending(saved, token, now)
                : Future.<Void>succeededFuture());
    }

    /**
     * Carries out {@code pending}: already in the routes (the previous leader wrote it, then died) →
     * only recorded; the alias as the rollout left it → written; anything else → someone else
     * changed the alias, and it is not overwritten.
     */
    private Future<Void> applyPending(Rollout rollout, long token, Instant now) {
        RouteTable table = routes.current();
        Alias current = table.alias(rollout.spec().alias());
        if (rollout.pending().equals(current)) return save(pendingDone(rollout, table.revision(), now), token).mapEmpty();
        if (!Objects.equals(current, rollout.written())) {
            return save(pendingRefused(rollout, now, changedBySomeoneElse(table, current)), token).mapEmpty();
        }
        RouteTable next = table.withAlias(rollout.pending());
        List<String> problems = RouteValidator.problems(next, policy);
        if (!problems.isEmpty()) {
            return save(pendingRefused(rollout, now, "the routes would be invalid: " + String.join("; ", problems)), token).mapEmpty();
        }
        ChangeInfo change = new ChangeInfo("rollout:" + rollout.id(), rollout.pendingReason(), "rollout " + rollout.state().label());
        return routes.write(next, table.revision(), change)
                .compose(written -> save(pendingDone(rollout, written.revision(), now), token).<Void>mapEmpty())
                .recover(error -> error instanceof RevisionConflictException
                        ? Future.<Void>succeededFuture() // another write came first: the next look decides again on what it applied
                        : Future.<Void>failedFuture(error));
    }

    private Rollout pendingDone(Rollout rollout, long routeRevision, Instant now) {
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        draft.written = rollout.pending();
        draft.pending = null;
        draft.pendingReason = null;
        draft.log(now, "routes", "route revision " + routeRevision + ": split " + splitText(rollout.pending()));
        return draft.build();
    }

    private Rollout pendingRefused(Rollout rollout, Instant now, String why) {
        if (!rollout.state().isFinal()) return pausedFor(rollout, now, why);
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        draft.pending = null;
        draft.pendingReason = null;
        draft.reason = rollout.reason() + "; the routes were left as they are: " + why;
        draft.log(now, "routes", "not written: " + why);
        return draft.build();
    }

    private Rollout pausedFor(Rollout rollout, Instant now, String why) {
        metrics.decision("paused");
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        draft.pending = null;
        draft.pendingReason = null;
        draft.resumeTo = rollout.state() == RolloutState.PAUSED ? rollout.resumeTo() : rollout.state();
        draft.state = RolloutState.PAUSED;
        draft.reason = "paused: " + why;
        draft.log(now, "paused", why);
        return draft.build();
    }

    private static Rollout touched(Rollout rollout, Instant now) {
        Rollout.Draft draft = rollout.draft();
        draft.updatedAt = now;
        return draft.build();
    }

    private static String changedBySomeoneElse(RouteTable table, Alias current) {
        return (current == null ? "the alias was deleted" : "the alias was changed by someone else")
                + " (route revision " + table.revision() + "); a rollout never overwrites a person's change:"
                + " check it, then resume (the step restarts from the alias as it is now) or abort";
    }

    /** Stores the next revision of a rollout; the leader's writes carry its fencing token. */
    private Future<Rollout> save(Rollout next, long token) {
        ActiveRollout active = next.isActive()
                ? new ActiveRollout(next.id(), next.spec().alias(), next.spec().candidate(), next.stepKey()) : null;
        return store.write(next.id(), next.revision() - 1, RolloutCodec.toTree(next).toString(), active, token)
                .map(stored -> {
                    remember(next);
                    return next;
                });
    }

    private void remember(Rollout rollout) {
        Map<String, Seen> next = new LinkedHashMap<>(seen);
        next.remove(rollout.id());
        next.put(rollout.id(), new Seen(rollout, clock.instant()));
        seen = Collections.unmodifiableMap(next); // insertion order: the oldest seen go first
    }

    // ---------------------------------------------------------------- the admin API (any instance)

    /**
     * Starts a rollout on the alias as this instance serves it now; the leader writes its first phase
     * within one look.
     *
     * @throws InvalidRolloutException (in the future) listing every reason it cannot start
     */
    public Future<Rollout> create(RolloutSpec spec, String author) {
        try {
            RouteTable table = routes.current();
            RolloutSpecs.requireStartable(spec, table);
            Alias current = table.alias(spec.alias());
            int step = spec.shadowFirst() != null ? -1 : 0;
            Alias first = RolloutAliases.phase(spec, current, current, step);
            List<String> problems = RouteValidator.problems(table.withAlias(first), policy);
            if (!problems.isEmpty()) throw new InvalidRolloutException(problems);
            Instant now = clock.instant();
            String id = newId(now);
            boolean gated = spec.gate() != null;
            RolloutState state = gated ? RolloutState.GATING : step < 0 ? RolloutState.SHADOWING : RolloutState.RUNNING;
            String phase = gated ? "gating: probe '" + spec.gate().probe() + "' runs against the candidate and the baseline"
                    : step < 0 ? "shadowing at " + percent(spec.shadowFirst().sample() * 100) + " of requests"
                    : stepName(spec, 0) + " at " + percent(spec.steps().get(0).weight());
            Rollout rollout = new Rollout(id, 1, spec, now, now, state, null, phase + ": started", step, 1,
                    List.of(Rollout.stepKey(step, 1)), 0, now, 0, current, current, gated ? null : first,
                    gated ? null : "rollout " + id + " started by " + author + ": " + phase, Rollout.Look.NONE,
                    List.of(new LogEntry(now, step, step < 0 ? 0 : spec.steps().get(0).weight(), "created",
                            "by " + author + "; baseline split " + splitText(current))), 0);
            ActiveRollout active = new ActiveRollout(id, spec.alias(), spec.candidate(), rollout.stepKey());
            return store.create(id, RolloutCodec.toTree(rollout).toString(), active).map(stored -> {
                remember(rollout);
                return rollout;
            });
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** The stored rollout; while the store is unreachable, the last one this instance read (see {@link #lastSeen}). */
    public Future<Rollout> get(String id) {
        return store.get(id).map(stored -> {
            StoredRollout found = stored.orElseThrow(() -> new RolloutNotFoundException(id));
            try {
                return RolloutCodec.read(id, found.revision(), found.json());
            } catch (IllegalArgumentException e) {
                throw new StoreCorruptException(e.getMessage() + "; it can be neither shown nor acted on: to forget it,"
                        + " HDEL the field '" + id + "' from {prefix}:rollouts, {prefix}:rollouts:rev and {prefix}:rollouts:active"
                        + " (and restore the alias's split by hand if it was mid-step)");
            }
        });
    }

    /** What this instance last read of a rollout, with when: the answer while the store is unreachable. */
    public Optional<Seen> lastSeen(String id) {
        return Optional.ofNullable(seen.get(id));
    }

    public Map<String, Seen> allSeen() {
        return seen;
    }

    /** Newest first; documents that cannot be read are counted, not shown. */
    public Future<Listed> list(int limit) {
        return store.list(limit).map(stored -> {
            List<Rollout> read = new ArrayList<>();
            int unreadable = 0;
            for (StoredRollout one : stored) {
                Rollout rollout = decodeOrNull(one);
                if (rollout == null) unreadable++;
                else read.add(rollout);
            }
            return new Listed(read, unreadable);
        });
    }

    public record Listed(List<Rollout> rollouts, int unreadable) {}

    /**
     * An operator's action, stored at once with compare-and-set (no lease needed: the leader reads it
     * at its next look). Promote and abort store the alias to write as {@code pending}, which the
     * leader writes within one look; the answer may come before that.
     */
    public Future<Rollout> act(String id, Action action, String author, String why) {
        return get(id).compose(rollout -> {
            if (rollout.pending() != null) {
                throw new ChangeInFlightException("a route change of rollout " + id + " is being written; try again in a second");
            }
            Instant now = clock.instant();
            String by = "by " + author + (why == null || why.isBlank() ? "" : ": " + why);
            Rollout.Draft draft = rollout.draft();
            draft.updatedAt = now;
            switch (action) {
                case PAUSE -> {
                    refuseFinal(rollout, action);
                    if (rollout.state() == RolloutState.PAUSED) return Future.succeededFuture(rollout);
                    draft.resumeTo = rollout.state();
                    draft.state = RolloutState.PAUSED;
                    draft.reason = "paused " + by;
                    draft.log(now, "paused", by);
                    metrics.decision("paused");
                }
                case RESUME -> {
                    if (rollout.state() != RolloutState.PAUSED) {
                        throw new ActionRefusedException("rollout " + id + " is " + rollout.state().label() + ", not paused");
                    }
                    Alias current = routes.current().alias(rollout.spec().alias());
                    if (current == null) throw new ActionRefusedException("alias '" + rollout.spec().alias() + "' no longer exists; abort the rollout");
                    draft.state = rollout.resumeTo() == null ? RolloutState.RUNNING : rollout.resumeTo();
                    draft.resumeTo = null;
                    draft.enter(rollout.step(), rollout.attempt() + 1, now);
                    draft.written = current;
                    // A paused gate runs again; nothing is written until it passes.
                    draft.pending = draft.state == RolloutState.GATING ? null
                            : RolloutAliases.phase(rollout.spec(), rollout.baseline(), current, rollout.step());
                    draft.pendingReason = "rollout " + id + " resumed " + by + "; " + phaseName(rollout) + " restarts";
                    draft.reason = phaseName(rollout) + ": resumed, gathering fresh evidence";
                    draft.log(now, "resumed", by + "; the step restarts with fresh evidence (attempt " + (rollout.attempt() + 1) + ")");
                }
                case ABORT -> {
                    refuseFinal(rollout, action);
                    Alias current = routes.current().alias(rollout.spec().alias());
                    draft.state = RolloutState.ABORTED;
                    draft.written = current == null ? rollout.written() : current; // an operator's command: their call
                    draft.pending = rollout.baseline();
                    draft.pendingReason = "rollout " + id + " aborted " + by + "; the baseline split is restored";
                    draft.reason = "aborted " + by;
                    draft.log(now, "aborted", by);
                    metrics.decision("aborted");
                }
                case PROMOTE -> {
                    refuseFinal(rollout, action);
                    Alias current = routes.current().alias(rollout.spec().alias());
                    if (current == null) throw new ActionRefusedException("alias '" + rollout.spec().alias() + "' no longer exists; abort the rollout");
                    draft.state = RolloutState.PROMOTED;
                    draft.written = current;
                    draft.pending = RolloutAliases.promoted(rollout.spec(), rollout.baseline(), current);
                    draft.pendingReason = "rollout " + id + " promoted " + by;
                    draft.reason = "promoted " + by;
                    draft.log(now, "promoted", by + "; the remaining steps are skipped");
                    metrics.decision("promoted");
                }
            }
            return save(draft.build(), 0);
        });
    }

    private static void refuseFinal(Rollout rollout, Action action) {
        if (rollout.state().isFinal()) {
            throw new ActionRefusedException("rollout " + rollout.id() + " is already " + rollout.state().label()
                    + "; it cannot be " + action.name().toLowerCase(Locale.ROOT) + (action == Action.PAUSE ? "d" : "ed"));
        }
    }

    /** Stops looking; a leader hands the lease back so another instance takes over at once. */
    public Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(ignored -> {
            if (timer >= 0) vertx.cancelTimer(timer);
            store.releaseLease(runId).otherwiseEmpty().onComplete(done -> closed.complete());
        });
        return closed.future();
    }

    // ---------------------------------------------------------------- text

    private static String phaseName(Rollout rollout) {
        return rollout.step() < 0 ? "shadowing" : stepName(rollout.spec(), rollout.step()) + " at " + percent(rollout.stepWeight());
    }

    private static String stepName(RolloutSpec spec, int step) {
        return "step " + (step + 1) + " of " + spec.steps().size();
    }

    static String percent(double value) {
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.3g", value)) + "%";
    }

    private static String splitText(Alias alias) {
        StringBuilder text = new StringBuilder();
        alias.split().forEach((version, weight) -> {
            if (text.length() > 0) text.append(", ");
            text.append(version).append(' ').append(percent(StepWeights.percentOf(alias.split(), version)));
        });
        return text.toString();
    }

    /** Sorts by creation time as text (base-36 milliseconds, fixed width until 2059), then 4 random characters. */
    static String newId(Instant now) {
        StringBuilder random = new StringBuilder();
        for (int i = 0; i < 4; i++) random.append(Character.forDigit(ThreadLocalRandom.current().nextInt(36), 36));
        return "ro-" + Long.toString(now.toEpochMilli(), 36) + "-" + random;
    }
}
