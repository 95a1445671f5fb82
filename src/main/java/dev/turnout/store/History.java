package dev.turnout.store;

import java.util.List;

/**
 * What the kept history holds, newest first.
 *
 * @param revisions      the readable entries
 * @param skipped        entries that could not be read (garbled in the store) and were left out
 * @param newestRevision the revision of the newest entry, readable or not (0 when there is none),
 *                       so "the one before the newest" still means something when the newest is garbled
 */
public record History(List<Revision> revisions, int skipped, long newestRevision) {
    public History {
        revisions = List.copyOf(revisions);
    }
}
