package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The one-line route changes an operator makes under pressure: roll back, set a split. */
public final class ChangeCommands {

    private ChangeCommands() {}

    @Command(name = "rollback", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Roll forward to a copy of an older table (default: the previous revision), or restore one alias.")
    public static final class Rollback implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "--to", paramLabel = "REV", description = "The revision to restore. Default: the one before the current (for --alias: before its last change).")
        Long to;
        @Option(names = "--alias", paramLabel = "A", description = "Restore this alias only.")
        String alias;
        @Option(names = "--reason", required = true, description = "Why, recorded in the history.")
        String reason;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                ObjectNode body = RouteCodec.JSON.createObjectNode().put("reason", reason);
                if (to != null) body.put("toRevision", to);
                String path = alias == null ? "admin/rollback" : "admin/aliases/" + Paths.segment(alias) + "/rollback";
                AdminClient.Reply reply = client.write("POST", path, AdminClient.JSON, body.toString(), Map.of());
                if (target.json()) out.println(reply.body());
                else out.println("rolled back" + (alias == null ? "" : " alias " + alias) + (to == null ? "" : " to revision " + to)
                        + ": now revision " + reply.revision());
                return 0;
            });
        }
    }

    @Command(name = "weights", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Set an alias's whole split: versions not named leave it.")
    public static final class Weights implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ALIAS")
        String alias;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "VERSION=WEIGHT", description = "Every weight of the split, e.g. v1=90 v2=10.")
        Map<String, String> weights;
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;

        /**
         * PATCH is a JSON merge patch, so a version left out would keep its weight: the split read
         * now is patched with every named weight and a null for every other version, guarded by the
         * revision read, so a split changed meanwhile is a conflict, not a silent mix.
         */
        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply routes = client.get("admin/routes");
                JsonNode before = routes.json().path("aliases").path(alias).path("split");
                ObjectNode split = RouteCodec.JSON.createObjectNode();
                before.fieldNames().forEachRemaining(split::putNull);
                for (Map.Entry<String, String> weight : weights.entrySet()) {
                    try {
                        split.put(weight.getKey(), Double.parseDouble(weight.getValue()));
                    } catch (NumberFormatException e) {
                        // The server validates the split; a weight that is not a number goes as text and is listed among its problems.
                        split.put(weight.getKey(), weight.getValue());
                    }
                }
                ObjectNode patch = RouteCodec.JSON.createObjectNode();
                patch.set("split", split);
                Map<String, String> headers = new LinkedHashMap<>(AdminTarget.reason(reason));
                headers.put("if-match", "\"" + routes.revision() + "\"");
                AdminClient.Reply reply = client.write("PATCH", "admin/aliases/" + Paths.segment(alias), "application/merge-patch+json",
                        patch.toString(), headers);
                if (target.json()) {
                    out.println(reply.body());
                } else {
                    out.println(alias + ": " + (before.isMissingNode() ? "{}" : before.toString()) + " -> "
                            + reply.json().path("aliases").path(alias).path("split") + " (revision " + reply.revision() + ")");
                }
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The route store, every instance and the revision each applies.")
    public static final class Status implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/status");
                if (target.json()) {
                    out.println(reply.body());
                    return 0;
                }
                JsonNode status = reply.json();
                JsonNode store = status.path("store");
                out.println("applied revision: " + Text.field(status, "appliedRevision"));
                out.println("store: " + Text.field(store, "kind") + ", " + (store.path("healthy").asBoolean() ? "healthy" : "UNHEALTHY")
                        + ", state " + Text.field(store, "state") + ", stored revision " + Text.field(store, "storedRevision")
                        + (store.hasNonNull("detail") ? " (" + store.get("detail").asText() + ")" : ""));
                store.path("corrupt").forEach(key -> out.println("  corrupt: " + key.asText()));
                if (status.has("rejected")) out.println("rejected: " + status.get("rejected"));
                out.println("converged: " + Text.field(status, "converged"));
                List<List<String>> rows = new java.util.ArrayList<>();
                status.path("instances").forEach(instance -> rows.add(List.of(Text.field(instance, "id"),
                        Text.field(instance, "appliedRevision"), Text.field(instance, "heartbeat"))));
                if (!rows.isEmpty()) out.print(Text.table(List.of("INSTANCE", "REVISION", "HEARTBEAT"), rows));
                return 0;
            });
        }
    }
}
