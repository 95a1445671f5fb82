package dev.turnout.probe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.AssembledResponse;
import dev.turnout.diff.ResponseAssembler;
import dev.turnout.golden.Checker;
import dev.turnout.golden.GoldenItem;
import dev.turnout.golden.GoldenSet;
import dev.turnout.golden.ItemResult;
import dev.turnout.golden.Similarity;
import dev.turnout.route.ModelVersion;
import dev.turnout.upstream.UpstreamRequests;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Asks a golden set of one version, directly (not through an alias, a split or a breaker: a probe
 * watches the version, and must not open its breaker or count as its traffic), with at most
 * {@code concurrency} calls at once and a budget of completion tokens per run: the items left when
 * it is spent are recorded as skipped. Items whose check names an answer are asked twice, so the
 * run also measures how much the version differs from itself (see {@link Drift}).
 *
 * <p>Answers are read whole, up to {@link #MAX_ANSWER_BYTES}; checks (which may run the embedding
 * model) run on worker threads, never on an event loop.
 */
public final class ProbeRunner {

    static final int MAX_ANSWER_BYTES = 1 << 20;
    /**
     * Characters of answers a version's run keeps (each answer is also cut to
     * {@link ItemOutcome#MAX_ANSWER_CHARS}): what is stored per run stays bounded whatever the set's
     * size. Items past it keep their outcome and detail, not their answer, and are not compared for drift.
     */
    static final long MAX_KEPT_ANSWER_CHARS = 256 * 1024;

    private final Vertx vertx;
    private final HttpClient client;
    private final Function<String, String> environment;
    private final Similarity similarity;

    public ProbeRunner(Vertx vertx, Function<String, String> environment, Similarity similarity) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new io.vertx.core.http.PoolOptions()
                .setHttp1MaxSize(16));
        this.environment = environment;
        this.similarity = similarity;
    }

    public Similarity similarity() {
        return similarity;
    }

    /** The set asked of {@code version}; never fails: an unreachable version fails each item instead. */
    public Future<VersionRun> run(ProbeSpec spec, GoldenSet set, ModelVersion version) {
        List<GoldenItem> items = set.items();
        ItemOutcome[] outcomes = new ItemOutcome[items.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        AtomicLong keptChars = new AtomicLong();
        List<Future<Void>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(spec.concurrency(), items.size()); i++) {
            Promise<Void> done = Promise.promise();
            work(spec, items, version, outcomes, next, tokens, keptChars, done);
            workers.add(done.future());
        }
        return Future.join(workers).transform(ignored ->
                Future.succeededFuture(new VersionRun(version.id(), Arrays.asList(outcomes), tokens.get(), null)));
    }

    private void work(ProbeSpec spec, List<GoldenItem> items, ModelVersion version, ItemOutcome[] outcomes, AtomicInteger next,
            AtomicLong tokens, AtomicLong keptChars, Promise<Void> done) {
        int index = next.getAndIncrement();
        if (index >= items.size()) {
            done.complete();
            return;
        }
        GoldenItem item = items.get(index);
        if (tokens.get() >= spec.maxTokensPerRun()) {
            outcomes[index] = new ItemOutcome(item.id(), item.check().kind(), false, true,
                    "skipped: the run's token budget (" + spec.maxTokensPerRun() + ") is spent", "", null, 0, 0);
            work(spec, items, version, outcomes, next, tokens, keptChars, done);
            return;
        }
        boolean twice = item.check().kind().equals("exact") || item.check().kind().equals("semantic");
        long start = System.nanoTime();
        ask(spec, item, version).compose(answer -> {
            long latencyMs = (System.nanoTime() - start) / 1_000_000;
            tokens.addAndGet(completionTokens(answer));
            Future<AssembledResponse> repeat = twice ? ask(spec, item, version) : Future.succeededFuture(null);
            return repeat.compose(again -> {
                if (again != null) tokens.addAndGet(completionTokens(again));
                return vertx.executeBlocking(() -> {
                    ItemResult result = Checker.check(item, answer, similarity);
                    String shown = shown(answer);
                    String repeated = again == null ? null : shown(again);
                    long size = Math.min(shown.length(), ItemOutcome.MAX_ANSWER_CHARS)
                            + (repeated == null ? 0 : Math.min(repeated.length(), ItemOutcome.MAX_ANSWER_CHARS));
                    boolean kept = keptChars.addAndGet(size) <= MAX_KEPT_ANSWER_CHARS;
                    return new ItemOutcome(item.id(), item.check().kind(), result.passed(), false, result.detail(),
                            kept ? shown : "(not kept: the run's answers are over " + MAX_KEPT_ANSWER_CHARS + " characters)",
                            kept ? repeated : null, latencyMs,
                            completionTokens(answer) + (again == null ? 0 : completionTokens(again)));
                }, false);
            });
        }).onComplete(finished -> {
            outcomes[index] = finished.succeeded() ? finished.result()
                    : new ItemOutcome(item.id(), item.check().kind(), false, false, "failed: " + finished.cause(), "", null, 0, 0);
            work(spec, items, version, outcomes, next, tokens, keptChars, done);
        });
    }

    private static long completionTokens(AssembledResponse answer) {
        Integer completion = answer.usage() == null ? null : answer.usage().completionTokens();
        return completion == null ? 0 : Math.max(0, completion);
    }

    /** What the run keeps of an answer: its text, else its first tool call, else the error. */
    private static String shown(AssembledResponse answer) {
        if (answer.failed()) return "(failed: " + answer.status() + " " + answer.errorClass() + ")";
        if (!answer.toolCalls().isEmpty()) {
            AssembledResponse.ToolCall call = answer.toolCalls().get(0);
            return "tool call " + call.name() + " " + call.arguments();
        }
        return answer.text();
    }

    /** One call; an answer that could not be had is an {@link AssembledResponse#failure}. */
    private Future<AssembledResponse> ask(ProbeSpec spec, GoldenItem item, ModelVersion version) {
        ObjectNode body = item.request().deepCopy();
        body.put("model", version.model());
        body.remove("stream");
        long timeoutMs = Math.min(spec.timeoutMs(), version.timeoutMs());
        RequestOptions options = UpstreamRequests.options(version, item.chat() ? "/chat/completions" : "/completions", timeoutMs)
                .putHeader("content-type", "application/json").putHeader("x-turnout-probe", spec.name());
        String authorization = UpstreamRequests.authorization(version, null, environment);
        if (authorization != null) options.putHeader("authorization", authorization);
        Promise<AssembledResponse> answered = Promise.promise();
        long deadline = vertx.setTimer(timeoutMs, id -> answered.tryComplete(AssembledResponse.failure(504, "timeout")));
        client.request(options)
                .compose(request -> request.send(Buffer.buffer(body.toString())))
                .compose(response -> {
                    Buffer received = Buffer.buffer();
                    Promise<AssembledResponse> read = Promise.promise();
                    response.handler(chunk -> {
                        if (received.length() + chunk.length() <= MAX_ANSWER_BYTES) received.appendBuffer(chunk);
                    });
                    response.exceptionHandler(read::tryFail);
                    response.endHandler(end -> read.tryComplete(ResponseAssembler.fromBody(response.statusCode(), received.getBytes(),
                            false, received.length() >= MAX_ANSWER_BYTES)));
                    return read.future();
                })
                .onComplete(done -> {
                    vertx.cancelTimer(deadline);
                    answered.tryComplete(done.succeeded() ? done.result()
                            : AssembledResponse.failure(502, done.cause().getClass().getSimpleName()));
                });
        return answered.future();
    }

    public Future<Void> close() {
        return client.close();
    }
}
