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

    /** Maps what a store or an edit can throw to its status; anything else is a 500 and logged. */
    static void fail(RoutingContext context, Throwable error) {
        if (error instanceof InvalidRoutesException) {
            send(context, 422, "invalid_routes", "The routes were not changed: " + ((InvalidRoutesException) error).errors().size()
                    + " problem(s) found", ((InvalidRoutesException) error).errors());
        } else if (error instanceof RevisionConflictException) {
            context.response().putHeader("etag", "\"" + ((RevisionConflictException) error).actual() + "\"");
            send(context, 409, "revision_conflict", error.getMessage(), null);
        } else if (error instanceof RouteChanges.InUseException) {
            send(context, 409, "in_use", error.getMessage(), ((RouteChanges.InUseException) error).uses());
        } else if (error instanceof StoreCorruptException) {
            send(context, 409, "store_corrupt", error.getMessage(), null);
        } else if (error instanceof StoreUnavailableException) {
            context.response().putHeader("retry-after", "1");
            send(context, 503, "store_unavailable", "The route store is unreachable, so routes cannot be changed now; "
                    + "every instance keeps serving its last applied table. " + error.getMessage(), null);
        } else if (error instanceof RouteChanges.NotFoundException || error instanceof RevisionNotFoundException) {
            send(context, 404, "not_found", error.getMessage(), null);
        } else if (error instanceof BadRequestException) {
            send(context, 400, "bad_request", error.getMessage(), null);
        } else {
            LOG.log(Level.WARNING, "admin request failed: " + context.request().method() + " " + context.request().path(), error);
            send(context, 500, "internal_error", "Internal error: " + error, null);
        }
    }

    /** A request the admin API cannot read (400). */
    static final class BadRequestException extends RuntimeException {
        BadRequestException(String message) {
            super(message);
        }
    }
}
