package dev.turnout.store;

import java.time.Instant;
import java.util.List;

/**
 * @param kind            memory | redis
 * @param healthy         whether the store answered just now
 * @param storedRevision  the revision the store holds (-1 when it could not be read)
 * @param appliedRevision the revision this instance serves
 * @param instances       every live instance sharing the store, with what it has applied
 * @param detail          what went wrong, when something did
 */
public record StoreStatus(String kind, boolean healthy, long storedRevision, long appliedRevision,
                          List<InstanceState> instances, String detail) {

    public record InstanceState(String id, long appliedRevision, Instant heartbeat) {}

    public StoreStatus {
        instances = List.copyOf(instances);
    }

    /** True when every live instance serves the stored revision. */
    public boolean converged() {
        return healthy && instances.stream().allMatch(i -> i.appliedRevision() == storedRevision);
    }
}
