package dev.turnout.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Names an operator types become one path segment each, so a slash or space cannot reach another route. */
final class Paths {

    private Paths() {}

    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
