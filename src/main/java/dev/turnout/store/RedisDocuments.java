package dev.turnout.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.time.Instant;

/**
 * The JSON documents {@link RedisRouteStore} keeps in Redis. A history entry, as stored:
 * <pre>
 *   {"revision":7,"routes":{"revision":7,"versions":...},"author":"alice","reason":"ramp","action":"patch",
 *    "time":"2025-01-01T10:00:00Z"}
 * </pre>
 * ({@code routes} as in {@code GET /admin/history}). Instance entries: {@link RedisInstances}.
 */
final class RedisDocuments {

    private RedisDocuments() {}

    /** The table without its revision: the write script puts the revision it assigns in front. */
    static String tableWithoutRevision(RouteTable table) {
        ObjectNode document = RouteCodec.toTree(table);
        document.remove("revision");
        return document.toString();
    }

    /** A history entry without revision and routes, which the script adds. */
    static String entry(ChangeInfo change, Instant time) {
        return RouteCodec.JSON.createObjectNode()
                .put("author", change.author()).put("reason", change.reason()).put("action", change.action())
                .put("time", time.toString()).toString();
    }

    /** Cheap test on the stored text, so finding one revision parses one table, not the whole history. */
    static boolean isEntryOf(String entry, long revision) {
        return entry.startsWith("{\"revision\":" + revision + ",");
    }

    static Revision revision(String json) {
        JsonNode entry = read(json);
        RouteTable table = RouteCodec.fromTree(entry.get("routes"));
        return new Revision(entry.get("revision").asLong(), new ChangeInfo(entry.path("author").asText(null),
                entry.path("reason").asText(null), entry.path("action").asText(null)),
                Instant.parse(entry.path("time").asText()), table);
    }

    /** An instance entry, or null when it is not one (written by something else): it is skipped. */
    static StoreStatus.InstanceState instance(String id, String json) {
        try {
            JsonNode state = read(json);
            if (!state.path("heartbeat").canConvertToLong()) return null;
            return new StoreStatus.InstanceState(id, state.path("appliedRevision").asLong(),
                    Instant.ofEpochMilli(state.path("heartbeat").asLong()));
        } catch (IllegalStateException unreadable) {
            return null;
        }
    }

    static JsonNode read(String json) {
        try {
            return RouteCodec.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable JSON in Redis: " + e.getMessage(), e);
        }
    }
}
