package dev.turnout.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What changes between two route tables, field by field, so an operator sees what a write would do
 * (a dry run) or what a revision did (history) without comparing two whole documents by eye.
 * Compared on the {@link RouteCodec} trees, the same shape as {@code GET /admin/routes}, so every
 * path names a field an operator can write (defaults filled in, so setting a default is no change).
 * The revision number is left out: it is not a route.
 */
public final class RouteDiff {

    private RouteDiff() {}

    /**
     * One changed field. An added field has {@code from} null, a removed one {@code to} null (JSON
     * null); a list (an alias's {@code shadow}) is compared whole, since its entries have no names.
     */
    public record Change(String path, JsonNode from, JsonNode to) {}

    /** The changes from {@code before} to {@code after}, in document order (before's keys first). */
    public static List<Change> between(RouteTable before, RouteTable after) {
        ObjectNode from = RouteCodec.toTree(before);
        ObjectNode to = RouteCodec.toTree(after);
        from.remove("revision");
        to.remove("revision");
        List<Change> changes = new ArrayList<>();
        compare("", from, to, changes);
        return List.copyOf(changes);
    }

    /** As the admin API writes them: {@code [{"path":..,"from":..,"to":..}]}. */
    public static ArrayNode toJson(List<Change> changes) {
        ArrayNode list = RouteCodec.JSON.createArrayNode();
        for (Change change : changes) {
            list.addObject().put("path", change.path()).<ObjectNode>set("from", change.from()).set("to", change.to());
        }
        return list;
    }

    private static void compare(String path, JsonNode from, JsonNode to, List<Change> changes) {
        if (from.equals(to)) return;
        if (!from.isObject() || !to.isObject()) {
            changes.add(new Change(path, from, to));
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        from.fieldNames().forEachRemaining(keys::add);
        to.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            String at = path.isEmpty() ? key : path + "." + key;
            JsonNode before = from.get(key);
            JsonNode after = to.get(key);
            if (before == null) changes.add(new Change(at, NullNode.getInstance(), after));
            else if (after == null) changes.add(new Change(at, before, NullNode.getInstance()));
            else compare(at, before, after, changes);
        }
    }
}
