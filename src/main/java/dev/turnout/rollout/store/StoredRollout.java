package dev.turnout.rollout.store;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A rollout document as stored: id, revision (1 on creation, +1 per write), and its JSON (opaque
 * to the store). Built from Redis contents too, so the constructor checks every bound: a value
 * that fails here is counted as unreadable, never handed to the engine.
 */
public record StoredRollout(String id, long revision, String json) {

    /** Rollout ids and step keys: safe in Redis hash fields, logs and URLs; the engine makes ids sort by creation time. */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The most a document may take in UTF-8: a thousand of them is 256 MiB at worst, in Redis and in a listing. */
    public static final int MAX_JSON_BYTES = 256 * 1024;
    /** The same bound as route revisions: exact in a double, so in Lua too. */
    static final long MAX_REVISION = (1L << 53) - 1;

    public StoredRollout {
        checkId(id);
        if (revision < 1 || revision > MAX_REVISION) {
            throw new IllegalArgumentException("rollout " + id + ": revision must be between 1 and " + MAX_REVISION + ", got " + revision);
        }
        checkJson(json);
    }

    static String checkId(String id) {
        requireNonNull(id, "id");
        if (!KEY.matcher(id).matches()) throw new IllegalArgumentException("rollout id must match [A-Za-z0-9._-]{1,64}, got '" + shown(id) + "'");
        return id;
    }

    static String checkJson(String json) {
        requireNonNull(json, "json");
        // A char is at most 3 UTF-8 bytes: only documents near the bound are encoded to measure them.
        if (json.length() > MAX_JSON_BYTES
                || json.length() * 3L > MAX_JSON_BYTES && json.getBytes(StandardCharsets.UTF_8).length > MAX_JSON_BYTES) {
            throw new IllegalArgumentException("a rollout document may take at most " + MAX_JSON_BYTES + " bytes in UTF-8");
        }
        return json;
    }

    /** A hostile value's first characters, for a message that must not repeat all of it. */
    static String shown(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
