package dev.turnout.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.DiffRecord;
import dev.turnout.proxy.RequestInspector;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.Capture;
import dev.turnout.upstream.UpstreamFailure;
import dev.turnout.upstream.UpstreamRequests;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One replay: pages through an alias's recorded exchanges and sends each request to the candidate
 * version directly (no breakers, splits or retries), at {@code ratePerSecond} on a Vert.x timer;
 * for a {@code noiseSample} share it also sends it to the recorded primary version again. Each
 * answer is paired with the recorded primary answer (the re-run primary's with it, for noise) and
 * goes to the shadows' {@code DiffPipeline} under the alias {@code replay:<id>}.
 *
 * <p>Bounded: at most {@link #PAGE} recorded exchanges are held at once, and at most
 * {@link #MAX_IN_FLIGHT} requests are out (the rate waits for them rather than queueing more).
 * Runs on one context; counters are read from any thread.
 */
public final class Replay {

    /** Exchanges read from the log at once. */
    static final int PAGE = 50;
    static final int MAX_IN_FLIGHT = 64;

    /** Where a replay is; {@code done}, {@code failed} and {@code cancelled} are final. */
    public enum State {
        RUNNING, DONE, FAILED, CANCELLED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String id;
    private final ReplaySpec spec;
    private final ModelVersion candidate;
    private final Supplier<RouteTable> routes;
    private final Replays owner;
    private final Instant startedAt = Instant.now();
    private final Deque<RecordedExchange> buffered = new ArrayDeque<>();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong noiseSent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong compared = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile State state = State.RUNNING;
    private volatile String reason;
    private volatile Instant finishedAt;
    // Touched on the replays' context only.
    private String lastPosition;
    private boolean reading;
    private boolean exhausted;
    private long dispatched;
    private int inFlight;
    private long timer = -1;
    private long startNanos;
    private long reportedNanos;

    Replay(String id, ReplaySpec spec, ModelVersion candidate, Supplier<RouteTable> routes, Replays owner) {
        this.id = id;
        this.spec = spec;
        this.candidate = candidate;
        this.routes = routes;
        this.owner = owner;
    }

    public String id() {
        return id;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The alias its pairs are reported under in {@code /admin/diffs}. */
    public String diffAlias() {
        return "replay:" + id;
    }

    void start() {
        if (state != State.RUNNING) return; // cancelled before it started
        startNanos = System.nanoTime();
        long tickMs = Math.max(5, Math.min(1_000, Math.round(1_000 / spec.ratePerSecond())));
        timer = owner.vertx().setPeriodic(tickMs, tick -> tick());
        report(true);
        fill();
    }

    /**
     * Shows where it is to the other instances ({@link Replays#publish}): at most about once a second
     * while it runs (its timer ticks at least that often), at once when it ends, and once more when
     * its last request out ends after that, so the final counts reach them too.
     */
    private void report(boolean now) {
        long nanos = System.nanoTime();
        if (!now && nanos - reportedNanos < 1_000_000_000L) return;
        reportedNanos = nanos;
        owner.publish(this);
    }

    /** Reads the next page once the buffer runs low; the first read picks the time range. */
    private void fill() {
        if (reading || exhausted || state != State.RUNNING || buffered.size() > PAGE / 2) return;
        int want = (int) Math.min(PAGE, spec.limit() - read.get());
        if (want <= 0) {
            exhausted = true;
            return;
        }
        reading = true;
        TrafficLog log = owner.log();
        var page = lastPosition == null ? log.read(spec.alias(), spec.from(), spec.to(), want)
                : log.readAfter(spec.alias(), lastPosition, spec.to(), want);
        page.onComplete(done -> owner.context().runOnContext(v -> {
            reading = false;
            if (done.failed()) {
                finish(State.FAILED, "reading the recording failed: " + done.cause().getMessage());
                return;
            }
            List<RecordedExchange> exchanges = done.result();
            if (exchanges.size() < want) exhausted = true;
            for (RecordedExchange exchange : exchanges) {
                buffered.addLast(exchange);
                lastPosition = exchange.position();
            }
            read.addAndGet(exchanges.size());
            tick();
        }));
    }

    /** Sends what the rate allows by now (never more than {@link #MAX_IN_FLIGHT} out), then checks whether all is done. */
    private void tick() {
        if (state != State.RUNNING) return;
        double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
        long due = (long) Math.floor(elapsedSeconds * spec.ratePerSecond());
        while (dispatched < due && !buffered.isEmpty() && inFlight < MAX_IN_FLIGHT) {
            dispatched++;
            dispatch(buffered.removeFirst());
        }
        fill();
        if (exhausted && buffered.isEmpty() && inFlight == 0 && !reading) finish(State.DONE, null);
        else report(false);
    }

    private void dispatch(RecordedExchange exchange) {
        byte[] recorded = exchange.request().getBytes(StandardCharsets.UTF_8);
        boolean wantsJson;
        try {
            wantsJson = RequestInspector.inspect(recorded, recorded.length).wantsJson();
        } catch (RuntimeException e) {
            skipped.incrementAndGet(); // a redacted request that is no longer one the gateway would forward
            return;
        }
        ModelVersion primary = routes.get().version(exchange.version());
        boolean noise = primary != null && ThreadLocalRandom.current().nextDouble() < spec.noiseSample();
        send(exchange, candidate, DiffRecord.CANDIDATE, recorded, wantsJson);
        sent.incrementAndGet();
        if (noise) {
            send(exchange, primary, DiffRecord.NOISE, recorded, wantsJson);
            noiseSent.incrementAndGet();
        }
    }

    private void send(RecordedExchange exchange, ModelVersion version, String kind, byte[] recorded, boolean wantsJson) {
        Buffer body;
        try {
            ObjectNode request = (ObjectNode) RecordedExchange.JSON.readTree(recorded);
            request.put("model", version.model());
            body = Buffer.buffer(RecordedExchange.JSON.writeValueAsBytes(request));
        } catch (IOException | ClassCastException e) {
            skipped.incrementAndGet();
            return;
        }
        Capture capture = owner.pipeline().open(System.nanoTime(), owner.captureBytes());
        if (capture == null) {
            skipped.incrementAndGet(); // the differ's byte budget is spent: not sent, like a shadow
            return;
        }
        inFlight++;
        capture.whenDone(() -> owner.context().runOnContext(v -> {
            inFlight--;
            if (capture.failed()) failed.incrementAndGet();
            else answered.incrementAndGet();
            compare(exchange, version, kind, recorded, wantsJson, capture);
            tick();
            if (state != State.RUNNING && inFlight == 0) report(true);
        }));
        forward(version, exchange.path(), body, capture);
    }

    private void compare(RecordedExchange exchange, ModelVersion version, String kind, byte[] request, boolean wantsJson,
                         Capture capture) {
        Capture primary = owner.pipeline().ended(exchange.status(), exchange.streamed(),
                exchange.answer().getBytes(StandardCharsets.UTF_8), exchange.durationMs(), exchange.ttftMs());
        if (owner.pipeline().submitEnded(exchange.requestId(), diffAlias(), exchange.version(), version.id(), kind, wantsJson,
                request, primary, capture)) {
            compared.incrementAndGet();
        } else {
            skipped.incrementAndGet();
        }
    }

    private void forward(ModelVersion version, String path, Buffer body, Capture capture) {
        long timeoutMs = Math.min(version.timeoutMs(), owner.timeoutMs());
        long deadline = owner.vertx().setTimer(owner.timeoutMs(), t -> capture.fail("timeout"));
        capture.whenDone(() -> owner.vertx().cancelTimer(deadline));
        owner.client().request(UpstreamRequests.options(version, path, timeoutMs)).onComplete(created -> {
            if (created.failed()) {
                capture.fail(UpstreamFailure.of(created.cause()).label());
                return;
            }
            var upstream = created.result();
            upstream.headers().set("content-type", "application/json").set("accept-encoding", "identity")
                    .set("x-turnout-replay", id);
            String authorization = UpstreamRequests.authorization(version, null, owner.environment());
            if (authorization != null) upstream.headers().set("authorization", authorization);
            capture.whenDone(() -> {
                if (capture.failed()) upstream.reset();
            });
            upstream.send(body).onComplete(answered -> {
                if (answered.failed()) {
                    capture.fail(UpstreamFailure.of(answered.cause()).label());
                    return;
                }
                var response = answered.result();
                capture.headers(response.statusCode(), response.getHeader("content-type"));
                response.handler(capture::append);
                response.exceptionHandler(error -> capture.fail(UpstreamFailure.of(error).label()));
                response.endHandler(end -> capture.end());
            });
        });
    }

    /** Stops sending; what is out still ends (and is compared). False when it had already ended. */
    boolean cancel() {
        if (state != State.RUNNING) return false;
        finish(State.CANCELLED, "cancelled");
        return true;
    }

    private void finish(State end, String why) {
        if (state != State.RUNNING) return;
        reason = why;
        finishedAt = Instant.now();
        state = end;
        buffered.clear();
        if (timer >= 0) owner.vertx().cancelTimer(timer);
        report(true);
    }

    boolean finished() {
        return state != State.RUNNING;
    }

    /** The replay as the admin API shows it, with {@code diffs}: its entries of the diff report. */
    public ObjectNode toJson(JsonNode diffEntries) {
        ObjectNode node = RecordedExchange.JSON.createObjectNode().put("id", id).put("alias", spec.alias())
                .put("candidate", spec.candidate()).put("diffAlias", diffAlias()).put("state", state.label())
                .put("reason", reason).put("from", spec.from().toString()).put("to", spec.to().toString())
                .put("limit", spec.limit()).put("ratePerSecond", spec.ratePerSecond()).put("noiseSample", spec.noiseSample())
                .put("startedAt", startedAt.toString());
        Instant finished = finishedAt;
        if (finished == null) node.putNull("finishedAt");
        else node.put("finishedAt", finished.toString());
        node.putObject("counts").put("read", read.get()).put("sent", sent.get()).put("noiseSent", noiseSent.get())
                .put("answered", answered.get()).put("failed", failed.get()).put("compared", compared.get())
                .put("skipped", skipped.get());
        if (diffEntries != null) node.set("diffs", diffEntries);
        return node;
    }
}
