package dev.turnout.proxy;

import dev.turnout.route.Client;
import dev.turnout.route.RouteTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who is calling. With client auth on, the {@code Authorization: Bearer} key must hash (SHA-256)
 * to a client of the table. With it off, the {@code X-Turnout-Client} header names the caller,
 * and a bearer key that matches a client still identifies it, so keyed clients keep their pins.
 * An app that only changed its base URL sends neither a client header nor a listed key, but it does
 * send its own bearer key on every request: the key's hash keeps it on one version of a split.
 *
 * @param id      the client id used for stickiness and pins; null for an anonymous caller
 * @param client  the table's entry for that id, when it has one
 * @param keyHash SHA-256 hex of an anonymous caller's bearer key (never the key itself: the
 *                selector and whatever prints an identity see only the hash), the sticky key
 *                when there is no id; null when there is an id or no key
 */
public record ClientIdentity(String id, Client client, String keyHash) {

    public static final ClientIdentity ANONYMOUS = new ClientIdentity(null, null, null);

    /** A named caller: its id is what sticks, so no key hash is kept. */
    public ClientIdentity(String id, Client client) {
        this(id, client, null);
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    /** The identity, or null when client auth is on and the key is missing or unknown. */
    public static ClientIdentity resolve(RouteTable table, String authorization, String clientHeader,
                                         boolean clientAuth) {
        String key = bearerKey(authorization);
        if (clientAuth) {
            Client client = key == null ? null : table.clientByKeySha256(sha256Hex(key));
            return client == null ? null : new ClientIdentity(client.id(), client);
        }
        if (clientHeader != null && !clientHeader.isEmpty()) {
            return new ClientIdentity(clientHeader, table.client(clientHeader));
        }
        if (key == null) return ANONYMOUS;
        String keyHash = sha256Hex(key);
        Client client = table.clientByKeySha256(keyHash);
        return client != null ? new ClientIdentity(client.id(), client) : new ClientIdentity(null, null, keyHash);
    }

    /** The alias this client is pinned to, or null. */
    public String pinnedAlias() {
        return client == null ? null : client.alias();
    }

    static String bearerKey(String authorization) {
        if (authorization == null || authorization.length() <= 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = authorization.substring(7).trim();
        return key.isEmpty() ? null : key;
    }

    public static String sha256Hex(String key) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "ClientIdentity[" + (id != null ? id : keyHash != null ? "key " + keyHash : "anonymous") + "]";
    }
}
