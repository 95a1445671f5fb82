package dev.turnout.replay;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.config.GatewayConfig;
import dev.turnout.diff.DiffReport;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.DiffPipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The replays of this instance: each runs on the instance that accepted it, kept in memory (lost on
 * restart), at most {@link #MAX_KEPT}; when that many are kept the oldest finished one is forgotten,
 * and when all of them still run a new one is refused. They share one HTTP client
 * ({@link Replay#MAX_IN_FLIGHT} connections per version per replay at most) and one context.
 *
 * <p>With a {@link ReplayBoard} (a Redis route store) each replay's document is also written there
 * as it runs, so that any instance behind a load balancer can answer for it ({@link #listAll},
 * {@link #document}); this instance's own replays are always answered from their live state.
 */
public final class Replays {

    public static final int MAX_KEPT = 100;
    private static final Logger LOG = Logger.getLogger(Replays.class.getName());

    /** The alias or the candidate is not in the applied route table. */
    public static final class UnknownVersionException extends RuntimeException {
        public UnknownVersionException(String message) {
            super(message);
        }
    }

    /** {@link #MAX_KEPT} replays are running: none is forgotten while it runs. */
    public static final class TooManyReplaysException extends RuntimeException {
        public TooManyReplaysException(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final TrafficLog log;
    private final DiffPipeline pipeline;
    private final Supplier<RouteTable> routes;
    private final Function<String, String> environment;
    private final GatewayConfig.Shadow shadow;
    private final HttpClient client;
    private final Map<String, Replay> replays = new LinkedHashMap<>();
    private final ReplayBoard board;

    /**
     * @param environment the data plane's (already narrowed to {@code server.apiKeyEnvAllowed}), for versions' keys
     * @param shadow      each answer is captured up to {@code captureBytes} and cut off after {@code timeoutMs}, like a shadow's
     * @param board       where the fleet's replays meet; null with a memory store (this instance's are all there is)
     */
    public Replays(Vertx vertx, TrafficLog log, DiffPipeline pipeline, Supplier<RouteTable> routes,
                   Function<String, String> environment, GatewayConfig.Shadow shadow, ReplayBoard board) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.context = vertx.getOrCreateContext();
        this.log = requireNonNull(log, "log");
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.routes = requireNonNull(routes, "routes");
        this.environment = requireNonNull(environment, "environment");
        this.shadow = requireNonNull(shadow, "shadow");
        this.board = board;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setDecompressionSupported(false).setVerifyHost(true), new PoolOptions().setHttp1MaxSize(Replay.MAX_IN_FLIGHT));
    }

    /**
     * Starts a replay of {@code spec}; throws {@link UnknownVersionException} when its alias or
     * candidate is not in the applied routes, {@link TooManyReplaysException} when none can be kept.
     */
    public synchronized Replay start(ReplaySpec spec) {
        RouteTable table = routes.get();
        if (table.alias(spec.alias()) == null) {
            throw new UnknownVersionException("no alias '" + spec.alias() + "' in the applied routes (revision "
                    + table.revision() + ")");
        }
        ModelVersion candidate = table.version(spec.candidate());
        if (candidate == null) {
            throw new UnknownVersionException("no version '" + spec.candidate() + "' in the applied routes (revision "
                    + table.revision() + ")");
        }
        if (replays.size() >= MAX_KEPT && !forgetOldestFinished()) {
            throw new TooManyReplaysException(MAX_KEPT + " replays are running on this instance; cancel one or wait");
        }
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
        Replay replay = new Replay(id, spec, candidate, routes, this);
        replays.put(id, replay);
        context.runOnContext(v -> replay.start());
        return replay;
    }

    private boolean forgetOldestFinished() {
        for (Iterator<Replay> it = replays.values().iterator(); it.hasNext(); ) {
            if (it.next().finished()) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    public synchronized Optional<Replay> get(String id) {
        return Optional.ofNullable(replays.get(id));
    }

    /** Oldest first. */
    public synchronized List<Replay> list() {
        return new ArrayList<>(replays.values());
    }

    /** Cancels a running replay (one that has ended stays as it is); empty when there is none by that id. */
    public Future<Optional<Replay>> cancel(String id) {
        Optional<Replay> replay = get(id);
        if (replay.isEmpty()) return Future.succeededFuture(replay);
        Promise<Optional<Replay>> cancelled = Promise.promise();
        context.runOnContext(v -> {
            replay.get().cancel();
            cancelled.complete(replay);
        });
        return cancelled.future();
    }

    /** A replay of this instance as the admin API shows it, with its entries of the diff report. */
    public ObjectNode view(Replay replay, DiffReport report) {
        return withInstance(replay.toJson(entries(replay.diffAlias(), report)));
    }

    /** The entries of {@code report} for one replay's alias ({@code replay:<id>}). */
    public static ArrayNode entries(String diffAlias, DiffReport report) {
        ArrayNode entries = RecordedExchange.JSON.createArrayNode();
        for (JsonNode entry : report.toJson().path("candidates")) {
            if (diffAlias.equals(entry.path("alias").asText())) entries.add(entry);
        }
        return entries;
    }

    /** With a board every view names the instance that runs the replay, so one read elsewhere says where to cancel it. */
    private ObjectNode withInstance(ObjectNode view) {
        if (board != null) view.put("instance", board.instance());
        return view;
    }

    /** Whether other instances' replays can be read here (the store is Redis). */
    public boolean shared() {
        return board != null;
    }

    /** Writes the replay's document to the board, if there is one; a failed write waits for the next (within about a second while it runs). */
    void publish(Replay replay) {
        if (board == null) return;
        board.put(replay.id(), replay.startedAt().toEpochMilli(), withInstance(replay.toJson(null)))
                .onFailure(error -> LOG.fine(() -> "writing replay " + replay.id() + " to Redis failed: " + error));
    }

    /**
     * Another instance's replay from the board: its document without {@code diffs}; empty when the
     * board has none by that id (or only an unreadable one), or there is no board.
     */
    public Future<Optional<ObjectNode>> document(String id) {
        return board == null ? Future.succeededFuture(Optional.empty()) : board.get(id);
    }

    /**
     * Every replay the fleet keeps, oldest start first, without {@code diffs}: the board's documents
     * with this instance's replays in their live state in place of theirs (and added when the board
     * has lost them: trimmed, or a write failed), and how many stored documents were unreadable.
     * Without a board, this instance's replays.
     */
    public Future<ReplayBoard.Listing> listAll() {
        if (board == null) {
            return Future.succeededFuture(new ReplayBoard.Listing(list().stream().map(replay -> replay.toJson(null)).toList(), 0));
        }
        return board.list().map(stored -> {
            Map<String, ObjectNode> merged = new LinkedHashMap<>();
            for (ObjectNode document : stored.documents()) merged.put(document.get("id").asText(), document);
            for (Replay replay : list()) merged.put(replay.id(), withInstance(replay.toJson(null)));
            List<ObjectNode> ordered = new ArrayList<>(merged.values());
            ordered.sort(Comparator.comparing(ReplayDocs::startedAt));
            return new ReplayBoard.Listing(ordered, stored.unreadable());
        });
    }

    Vertx vertx() {
        return vertx;
    }

    Context context() {
        return context;
    }

    TrafficLog log() {
        return log;
    }

    DiffPipeline pipeline() {
        return pipeline;
    }

    HttpClient client() {
        return client;
    }

    Function<String, String> environment() {
        return environment;
    }

    int captureBytes() {
        return shadow.captureBytes();
    }

    long timeoutMs() {
        return shadow.timeoutMs();
    }

    /** Cancels every running replay and closes the client and the board. */
    public Future<Void> close() {
        list().forEach(replay -> context.runOnContext(v -> replay.cancel()));
        return client.close().eventually(() -> board == null ? Future.succeededFuture() : board.close());
    }
}
