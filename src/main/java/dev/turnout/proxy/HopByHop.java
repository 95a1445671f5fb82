package dev.turnout.proxy;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), dropped in both
 * directions in this one place. Headers named by {@code Connection} are dropped too.
 */
final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {}

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers and without the names in
     * {@code alsoDrop} (lower case), which the proxy sets itself.
     */
    static void copy(MultiMap from, MultiMap to, Set<String> alsoDrop) {
        String connection = from.get("connection");
        for (var header : from) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NAMES.contains(name) || alsoDrop.contains(name)) continue;
            if (connection != null && listed(connection, name)) continue;
            to.add(header.getKey(), header.getValue());
        }
    }

    private static boolean listed(String connection, String name) {
        for (String token : connection.split(",")) {
            if (token.trim().equalsIgnoreCase(name)) return true;
        }
        return false;
    }
}
