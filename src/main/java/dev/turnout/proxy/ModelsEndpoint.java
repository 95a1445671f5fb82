package dev.turnout.proxy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code GET /v1/models[/id]}: the aliases, which are the models clients may name, in OpenAI's
 * shape. A client pinned to an alias is served that alias whatever it names, so that alias is the
 * only model it sees; the others are not its business.
 */
final class ModelsEndpoint {

    private ModelsEndpoint() {}

    static void respond(RouteTable table, ClientIdentity identity, String path, HttpServerResponse response) {
        response.putHeader("x-turnout-revision", Long.toString(table.revision()));
        String pinned = identity.pinnedAlias();
        if (path.equals("/v1/models") || path.equals("/v1/models/")) {
            ObjectNode list = RouteCodec.JSON.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            if (pinned != null) {
                if (table.alias(pinned) != null) data.add(model(pinned));
            } else {
                table.aliases().keySet().forEach(alias -> data.add(model(alias)));
            }
            send(response, list);
            return;
        }
        String id = path.substring("/v1/models/".length());
        if (table.alias(id) == null || (pinned != null && !pinned.equals(id))) {
            OpenAiError.modelNotFound(id).send(response);
        } else {
            send(response, model(id));
        }
    }

    private static ObjectNode model(String alias) {
        return RouteCodec.JSON.createObjectNode()
                .put("id", alias).put("object", "model").put("created", 0).put("owned_by", "turnout");
    }

    private static void send(HttpServerResponse response, ObjectNode body) {
        response.putHeader("content-type", "application/json").end(Buffer.buffer(body.toString()));
    }
}
