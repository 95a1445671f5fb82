package dev.turnout.route;

/**
 * Chooses which version of an alias's split serves a sticky key. Implementations are pure
 * functions of (alias, split, key): every instance, on every restart, agrees without talking.
 */
public interface VersionSelector {

    /** The chosen version id, or null when no version has a positive weight. */
    String select(Alias alias, String stickyKey);

    /** Weighted rendezvous hashing over xxHash64; see {@link RendezvousSelector}. */
    static VersionSelector rendezvous() {
        return RendezvousSelector.INSTANCE;
    }
}
