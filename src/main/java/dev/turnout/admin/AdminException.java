package dev.turnout.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An admin API error that already knows its answer: status, {@code type}, message, the listed
 * {@code errors} (or null) and any headers to send with it. {@link AdminErrors#fail} sends it; each
 * route class turns its own domain exceptions into one of these.
 */
final class AdminException extends RuntimeException {

    private final int status;
    private final String type;
    private final List<String> errors;
    private final Map<String, String> headers = new LinkedHashMap<>();

    AdminException(int status, String type, String message, List<String> errors) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.errors = errors;
    }

    /** 400 {@code bad_request}: a request the admin API cannot read. */
    static AdminException badRequest(String message) {
        return new AdminException(400, "bad_request", message, null);
    }

    /** 404 {@code not_found}. */
    static AdminException notFound(String message) {
        return new AdminException(404, "not_found", message, null);
    }

    /** 409 with its own type. */
    static AdminException conflict(String type, String message) {
        return conflict(type, message, null);
    }

    static AdminException conflict(String type, String message, List<String> errors) {
        return new AdminException(409, type, message, errors);
    }

    /** 422: "{@code refused}: N problem(s) found", listing every problem. */
    static AdminException invalid(String type, String refused, List<String> problems) {
        return new AdminException(422, type, refused + ": " + problems.size() + " problem(s) found", problems);
    }

    /** 503 {@code store_unavailable} with {@code Retry-After: 1}. */
    static AdminException unavailable(String message) {
        return new AdminException(503, "store_unavailable", message, null).header("retry-after", "1");
    }

    /** Adds a header to send with the error. */
    AdminException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    List<String> errors() {
        return errors;
    }

    Map<String, String> headers() {
        return headers;
    }
}
