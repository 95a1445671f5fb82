package dev.turnout.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON documents {@link RedisRouteStore} keeps in Redis, read as hostile input: anything can
 * be written to Redis by something other than Turnout. A history entry, as stored and published:
 * <pre>
 *   {"revision":7,"routes":{"revision":7,"versions":...},"author":"alice","reason":"ramp","action":"patch",
 *    "time":"2025-01-01T10:00:00Z"}
 * </pre>
 * ({@code routes} as in {@code GET /admin/history}). Instance entries: {@link RedisInstances}.
 */
final class RedisDocuments {

    private static final Pattern REVISION = Pattern.compile("\\d{1,15}");
    private static final Pattern ENTRY_REVISION = Pattern.compile("^\\{\"revision\":(\\d{1,15}),");

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

    /** A whole history entry, as the write script stores it (revision first). */
    static String entry(Revision revision) {
        ObjectNode entry = RouteCodec.JSON.createObjectNode().put("revision", revision.revision());
        entry.set("routes", RouteCodec.toTree(revision.table()));
        return entry.put("author", revision.change().author()).put("reason", revision.change().reason())
                .put("action", revision.change().action()).put("time", revision.time().toString()).toString();
    }

    /** The stored revision: 0 when there is none, -1 when the value is not a revision at all. */
    static long revisionOf(String stored) {
        if (stored == null) return 0;
        return REVISION.matcher(stored).matches() ? Long.parseLong(stored) : -1;
    }

    /** The revision an entry (or a table document) starts with, or -1: read without parsing the rest. */
    static long leadingRevision(String document) {
        if (document == null) return -1;
        Matcher matcher = ENTRY_REVISION.matcher(document);
        return matcher.lookingAt() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** Cheap test on the stored text, so finding one revision parses one table, not the whole history. */
    static boolean isEntryOf(String entry, long revision) {
        return leadingRevision(entry) == revision;
    }

    /** A history entry; throws (any RuntimeException) when it is not a readable one. */
    static Revision revision(String json) {
        JsonNode entry = read(json);
        if (!entry.path("revision").canConvertToLong() || !entry.path("routes").isObject()) {
            throw new IllegalStateException("not a history entry: no revision or no routes");
        }
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

    /** A stored value as it may be shown to an operator: short, printable, quoted. */
    static String excerpt(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
