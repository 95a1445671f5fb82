package dev.turnout.proxy;

import io.vertx.core.MultiMap;
import java.util.Locale;

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), dropped in both
 * directions in this one place. Headers named by {@code Connection} are dropped too.
 * <p>
 * Runs twice per request on the event loop, so names are compared case-insensitively in place
 * (length first) rather than lower-cased into a new string per header, and the headers are walked
 * with {@code forEach}, which does not wrap each entry.
 */
final class HopByHop {

    /** Lower-case header names, matched case-insensitively without allocating. */
    static final class Names {
        private final String[] names;

        Names(String... names) {
            this.names = names.clone();
            for (int i = 0; i < this.names.length; i++) this.names[i] = this.names[i].toLowerCase(Locale.ROOT);
        }

        boolean contains(String name) {
            for (String candidate : names) {
                if (candidate.length() == name.length() && candidate.equalsIgnoreCase(name)) return true;
            }
            return false;
        }
    }

    private static final Names NAMES = new Names("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {}

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers and without the names in
     * {@code alsoDrop}, which the proxy sets itself.
     */
    static void copy(MultiMap from, MultiMap to, Names alsoDrop) {
        String[] listed = listed(from.get("connection")); // split once, not once per header
        from.forEach((name, value) -> {
            if (NAMES.contains(name) || alsoDrop.contains(name)) return;
            if (listed != null && isListed(listed, name)) return;
            to.add(name, value);
        });
    }

    /** The header names a {@code Connection} header lists, trimmed; null without one. */
    private static String[] listed(String connection) {
        if (connection == null) return null;
        String[] tokens = connection.split(",");
        for (int i = 0; i < tokens.length; i++) tokens[i] = tokens[i].trim();
        return tokens;
    }

    private static boolean isListed(String[] listed, String name) {
        for (String token : listed) {
            if (token.equalsIgnoreCase(name)) return true;
        }
        return false;
    }
}
