package dev.turnout.shadow;

import dev.turnout.route.Alias;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.function.Function;

/**
 * What the data plane hands the dispatcher about one request.
 *
 * @param uriSuffix           the path and query after {@code /v1}, e.g. {@code /chat/completions}
 * @param headers             the client's headers, already without hop-by-hop and credentials
 * @param clientAuthorization the client's own Authorization, for versions with {@code passAuth}
 * @param bodyForModel        the request body with {@code model} set to the given upstream name
 * @param body                the client's body as sent, for samples
 */
public record ShadowRequest(String id, RouteTable table, Alias alias, ModelVersion primary, String uriSuffix,
                            MultiMap headers, String clientAuthorization, Function<String, Buffer> bodyForModel,
                            byte[] body, boolean wantsJson) {}
