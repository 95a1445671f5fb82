package dev.turnout.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.store.RedisStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * Where every instance's replays are shown to the others, with a Redis route store: each instance
 * writes the documents of the replays it runs ({@link ReplayDocs}), any instance reads them. There
 * is none with a memory store: an instance's own replays are then all there is.
 */
public interface ReplayBoard {

    /** What a list read found: readable documents, oldest start first, and how many were not. */
    record Listing(List<ObjectNode> documents, int unreadable) {}

    /** The instance id the documents this instance writes carry ({@code instance}). */
    String instance();

    /** Writes (or rewrites) a replay's document; the oldest beyond {@link Replays#MAX_KEPT} are forgotten. */
    Future<Void> put(String id, long startedMs, ObjectNode document);

    /** The document stored under {@code id}; empty when there is none, or it is unreadable (counted). */
    Future<Optional<ObjectNode>> get(String id);

    /** The newest {@link Replays#MAX_KEPT} documents by start, oldest first. */
    Future<Listing> list();

    /** Stored documents skipped as unreadable since start. */
    long skipped();

    Future<Void> close();

    static ReplayBoard redis(Vertx vertx, RedisStoreOptions options) {
        return new RedisReplayBoard(vertx.getOrCreateContext(), options);
    }
}
