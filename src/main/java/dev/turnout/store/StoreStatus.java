package dev.turnout.store;

import java.time.Instant;
import java.util.List;

/**
 * @param kind            memory | redis
 * @param healthy         whether the store answered just now
 * @param storedRevision  the revision the store holds (-1 when it could not be read, or is garbled)
 * @param appliedRevision the revision this instance serves
 * @param instances       every live instance sharing the store, with what it has applied
 * @param detail          what went wrong, when something did
 * @param corrupt         values in the store that cannot be used, each naming its key and the repair
 * @param rejected        the newest stored table this instance refused to apply, or null
 */
public record StoreStatus(String kind, boolean healthy, long storedRevision, long appliedRevision,
                          List<InstanceState> instances, String detail, List<String> corrupt, Rejected rejected) {

    public record InstanceState(String id, long appliedRevision, Instant heartbeat) {}

    /** A stored table that failed validation: never applied; the instance keeps its last good one. */
    public record Rejected(long revision, String key, List<String> errors, Instant time) {
        public Rejected {
            errors = List.copyOf(errors);
        }
    }

    public StoreStatus {
        instances = List.copyOf(instances);
        corrupt = List.copyOf(corrupt);
    }

    public StoreStatus(String kind, boolean healthy, long storedRevision, long appliedRevision,
                       List<InstanceState> instances, String detail) {
        this(kind, healthy, storedRevision, appliedRevision, instances, detail, List.of(), null);
    }

    /** The store as operators read it: {@code unreachable}, {@code corrupt} (holds values that cannot be used) or {@code reachable}. */
    public String state() {
        return !healthy ? "unreachable" : corrupt.isEmpty() ? "reachable" : "corrupt";
    }

    /** True when every live instance serves the stored revision and nothing stored is garbled. */
    public boolean converged() {
        return healthy && corrupt.isEmpty() && instances.stream().allMatch(i -> i.appliedRevision() == storedRevision);
    }
}
