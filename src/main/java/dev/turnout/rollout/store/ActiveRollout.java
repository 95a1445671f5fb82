package dev.turnout.rollout.store;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * What each instance needs of an active rollout without reading its document (small, polled every
 * second by every instance). Alias and candidate follow the route validator's name rule, step keys
 * the rollout id rule; none of them can hold a space, which is what the Redis encoding
 * ({@link #encoded()}) splits on.
 */
public record ActiveRollout(String id, String alias, String candidate, String stepKey) {

    /** {@code RouteValidator.NAME}: an alias or version name the routes could hold. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public ActiveRollout {
        StoredRollout.checkId(id);
        name("alias", alias);
        name("candidate", candidate);
        requireNonNull(stepKey, "stepKey");
        if (!StoredRollout.KEY.matcher(stepKey).matches()) {
            throw new IllegalArgumentException("rollout " + id + ": stepKey must match [A-Za-z0-9._-]{1,64}, got '"
                    + StoredRollout.shown(stepKey) + "'");
        }
    }

    private void name(String field, String value) {
        requireNonNull(value, field);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("rollout " + id + ": " + field + " must match [A-Za-z0-9._:-]{1,128}, got '"
                    + StoredRollout.shown(value) + "'");
        }
    }

    /** The value in {@code {prefix}:rollouts:active} (the id is the field): {@code "alias candidate stepKey"}. */
    String encoded() {
        return alias + " " + candidate + " " + stepKey;
    }

    /** The entry stored under {@code id}; IllegalArgumentException if it does not decode to a valid entry. */
    static ActiveRollout decode(String id, String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split(" ", -1);
        if (parts.length != 3) throw new IllegalArgumentException("not 'alias candidate stepKey'");
        return new ActiveRollout(id, parts[0], parts[1], parts[2]);
    }
}
