package dev.turnout.route;

import java.util.List;

/**
 * The documented range of every number, count and length in a route table (README, "Route table
 * reference"). A table is checked against them when it is written, so nothing that passed can fail
 * or exhaust memory when a request uses it: a breaker window sizes an array on the first request,
 * a count multiplies the work of every request or of every table apply.
 */
public final class RouteLimits {

    public static final long MAX_WEIGHT = 1_000_000;
    public static final long MIN_TIMEOUT_MS = 1;
    public static final long MAX_TIMEOUT_MS = 3_600_000;
    /** 0 means no limit on the whole exchange. */
    public static final long MAX_TOTAL_TIMEOUT_MS = 86_400_000;
    public static final long MIN_FAILURE_RATE_PERCENT = 1;
    public static final long MAX_FAILURE_RATE_PERCENT = 100;
    /** Resilience4j keeps one slot per call of the window, allocated when the breaker is built. */
    public static final long MAX_BREAKER_WINDOW = 1_000;
    public static final long MIN_OPEN_MS = 1;
    public static final long MAX_OPEN_MS = 3_600_000;
    /** So that a revision read by a JavaScript client (a double) is exact. */
    public static final long MAX_REVISION = (1L << 53) - 1;

    public static final int MAX_VERSIONS = 10_000;
    public static final int MAX_ALIASES = 10_000;
    public static final int MAX_CLIENTS = 100_000;
    /** Every request scores every version of its alias's split. */
    public static final int MAX_SPLIT_VERSIONS = 100;
    /** Every sampled request is copied to every shadow. */
    public static final int MAX_SHADOWS = 10;
    public static final int MAX_PINS = 100_000;

    public static final int MAX_URL_LENGTH = 2_048;
    public static final int MAX_MODEL_LENGTH = 256;
    public static final int MAX_ENV_NAME_LENGTH = 128;
    public static final int MAX_HEADER_NAME_LENGTH = 128;
    /** A pin's key: the client id as the caller sends it. */
    public static final int MAX_CLIENT_ID_LENGTH = 256;

    private RouteLimits() {}

    /** Adds an error naming the field and the range when {@code value} is outside [min, max]. */
    static void checkRange(String at, long value, long min, long max, List<String> errors) {
        if (value < min || value > max) errors.add(at + ": " + wholeRange(min, max) + ", got " + value);
    }

    /** Same for a real number; NaN and infinities are outside every range. */
    static void checkRange(String at, double value, double min, double max, List<String> errors) {
        if (!(value >= min && value <= max)) {
            errors.add(at + ": must be a number from " + plain(min) + " to " + plain(max) + ", got " + value);
        }
    }

    static void checkCount(String at, int count, int max, String what, List<String> errors) {
        if (count > max) errors.add(at + ": at most " + max + " " + what + ", got " + count);
    }

    static void checkLength(String at, String value, int max, List<String> errors) {
        if (value != null && value.length() > max) {
            errors.add(at + ": at most " + max + " characters, got " + value.length());
        }
    }

    static String wholeRange(long min, long max) {
        return "must be a whole number from " + min + " to " + max;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString(Math.round(value)) : Double.toString(value);
    }
}
