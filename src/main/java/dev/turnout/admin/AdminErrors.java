package dev.turnout.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RevisionConflictException;
import dev.turnout.store.RevisionNotFoundException;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admin API errors, in the same shape as the data plane's ({@code {"error":{"message","type",...}}})
 * plus {@code errors}: every validation problem, each naming its field.
 */
final class AdminErrors {

    private static final Logger LOG = Logger.getLogger(AdminErrors.class.getName());

    private AdminErrors() {}

    static void send(RoutingContext context, int status, String type, String message, List<String> errors) {
        ObjectNode body = RouteCodec.JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        if (errors != null) {
            ArrayNode list = error.putArray("errors");
            errors.forEach(list::add);
        }
        if (!context.response().headWritten()) {
            context.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
        }
    }

    /**
     * Sends an {@link AdminException} as it says, maps what a store or an edit can throw to its
     * status, and answers anything else with a 500, logged.
     */
    static void fail(RoutingContext context, Throwable error) {
        AdminException known = error instanceof AdminException admin ? admin : routeError(error);
        if (known == null) {
            LOG.log(Level.WARNING, "admin request failed: " + context.request().method() + " " + context.request().path(), error);
            send(context, 500, "internal_error", "Internal error: " + error, null);
            return;
        }
        known.headers().forEach(context.response()::putHeader);
        send(context, known.status(), known.type(), known.getMessage(), known.errors());
    }

    /** What the route store and route edits throw, as admin errors; null for anything else. */
    private static AdminException routeError(Throwable error) {
        if (error instanceof InvalidRoutesException invalid) {
            return AdminException.invalid("invalid_routes", "The routes were not changed", invalid.errors());
        } else if (error instanceof RevisionConflictException conflict) {
            return AdminException.conflict("revision_conflict", error.getMessage()).header("etag", "\"" + conflict.actual() + "\"");
        } else if (error instanceof RouteChanges.InUseException inUse) {
            return AdminException.conflict("in_use", error.getMessage(), inUse.uses());
        } else if (error instanceof StoreCorruptException) {
            return AdminException.conflict("store_corrupt", error.getMessage());
        } else if (error instanceof StoreUnavailableException) {
            return AdminException.unavailable("The route store is unreachable, so routes cannot be changed now; "
                    + "every instance keeps serving its last applied table. " + error.getMessage());
        } else if (error instanceof RouteChanges.NotFoundException || error instanceof RevisionNotFoundException) {
            return AdminException.notFound(error.getMessage());
        }
        return null;
    }
}
