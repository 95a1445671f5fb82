package dev.turnout.semantic;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The primary answer's embedding, kept by request id so that a request's candidate pairs and its
 * noise pair embed the primary once. Least recently used entries go first once either bound is
 * reached: {@code maxEntries}, or {@code maxBytes} counted as the vector plus the id's characters.
 * An entry also remembers the text's length and hash: a second text under the same id (a caller's
 * mistake) is embedded afresh, never answered with the first one's vector.
 */
final class PrimaryCache {

    /** Ids longer than this are not cached: a client may choose its request id. */
    static final int MAX_ID_CHARS = 200;
    /** Object headers, the map node and the entry record, roughly. */
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private record Entry(int textLength, int textHash, float[] vector, int bytes) {}

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    PrimaryCache(int maxEntries, long maxBytes) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** An upper bound of one entry's bytes: the bound above counts it this way. */
    static int entryBytes(String requestId, float[] vector) {
        return ENTRY_OVERHEAD_BYTES + 2 * requestId.length() + 4 * vector.length;
    }

    synchronized float[] get(String requestId, String text) {
        Entry entry = entries.get(requestId);
        return entry != null && entry.textLength == text.length() && entry.textHash == text.hashCode() ? entry.vector : null;
    }

    synchronized void put(String requestId, String text, float[] vector) {
        if (requestId.length() > MAX_ID_CHARS) return;
        int size = entryBytes(requestId, vector);
        Entry previous = entries.put(requestId, new Entry(text.length(), text.hashCode(), vector, size));
        bytes += size - (previous == null ? 0 : previous.bytes);
        Iterator<Entry> eldest = entries.values().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
            bytes -= eldest.next().bytes;
            eldest.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long bytes() {
        return bytes;
    }
}
