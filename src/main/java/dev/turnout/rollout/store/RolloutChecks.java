package dev.turnout.rollout.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** The argument checks both stores make before touching anything, so they refuse alike. */
final class RolloutChecks {

    private static final int MAX_OWNER_LENGTH = 256;

    private RolloutChecks() {}

    static void sameId(String id, ActiveRollout active) {
        if (active != null && !active.id().equals(id)) {
            throw new IllegalArgumentException("the active entry is for rollout " + active.id() + ", not " + id);
        }
    }

    static void fence(long fence) {
        if (fence < 0) throw new IllegalArgumentException("fence must be 0 (an operator's write) or a lease token, got " + fence);
    }

    /** Owners are instance ids; the lease stores "token owner", so any printable text without line breaks will do. */
    static void owner(String owner) {
        requireNonNull(owner, "owner");
        if (owner.isBlank() || owner.length() > MAX_OWNER_LENGTH || owner.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("lease owner must be 1 to " + MAX_OWNER_LENGTH + " printable characters");
        }
    }

    static void ttl(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1) throw new IllegalArgumentException("lease ttl must be at least 1 ms, got " + ttl);
    }

    static IllegalStateException allActive() {
        return new IllegalStateException(RolloutStore.MAX_STORED + " rollouts are stored and every one is active;"
                + " end one (abort or promote it) before creating another");
    }
}
