package dev.turnout.proxy;

/**
 * The request target as the gateway accepts it: origin-form ({@code /v1/...}) whose path is
 * already normal. The path goes upstream as sent, behind the version's base path and with the
 * gateway's key, so anything an upstream (or a proxy before it) could resolve to another path is
 * refused rather than rewritten: absolute-form ({@code http://host/...}), dot segments, {@code //},
 * backslashes, path parameters ({@code ;}, which servlet containers strip, turning {@code ..;} into
 * {@code ..}), and {@code %2e}, {@code %2f}, {@code %5c} or {@code %00}, which a server may decode
 * into one of those. No OpenAI path uses any of them. The query is not a path and is left alone.
 */
final class RequestTarget {

    private static final int SHOWN_CHARS = 200;

    private RequestTarget() {}

    /** Null when the target may be forwarded, else the 400 to answer. */
    static OpenAiError check(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            return refuse(uri, "the request target must be a path starting with '/' (origin-form), not an absolute URI");
        }
        int end = uri.indexOf('?');
        if (end < 0) end = uri.length();
        int segmentStart = 1;
        for (int i = 1; i <= end; i++) {
            char c = i < end ? uri.charAt(i) : '/';
            if (c == '/') {
                int length = i - segmentStart;
                if (length == 0 && i < end) return refuse(uri, "empty path segments ('//') are not allowed");
                if (isDotSegment(uri, segmentStart, length)) return refuse(uri, "'.' and '..' path segments are not allowed");
                segmentStart = i + 1;
            } else if (c == '\\') {
                return refuse(uri, "backslashes are not allowed in the path");
            } else if (c == ';') {
                return refuse(uri, "path parameters (';') are not allowed");
            } else if (c == '#') {
                return refuse(uri, "a fragment ('#') is not part of a request target");
            } else if (c == '%' && encodesSeparator(uri, i, end)) {
                return refuse(uri, "percent-encoded '.', '/', '\\' or NUL are not allowed in the path");
            }
        }
        return null;
    }

    private static boolean isDotSegment(String uri, int start, int length) {
        return (length == 1 && uri.charAt(start) == '.')
                || (length == 2 && uri.charAt(start) == '.' && uri.charAt(start + 1) == '.');
    }

    private static boolean encodesSeparator(String uri, int percent, int end) {
        if (percent + 2 >= end) return false;
        char high = uri.charAt(percent + 1);
        char low = Character.toLowerCase(uri.charAt(percent + 2));
        return (high == '2' && (low == 'e' || low == 'f')) || (high == '5' && low == 'c') || (high == '0' && low == '0');
    }

    private static OpenAiError refuse(String uri, String why) {
        String shown = uri.length() > SHOWN_CHARS ? uri.substring(0, SHOWN_CHARS) + "..." : uri;
        return OpenAiError.badRequest("invalid_path", null, "The request target '" + shown + "' is refused: " + why + ".");
    }
}
