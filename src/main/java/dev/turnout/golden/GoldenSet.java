package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A named list of golden items. {@link GoldenSets#parse} is the way in from outside and reports
 * every problem of a document; the constructor holds the same bounds for sets built in code
 * ({@link GoldenSets#NAME}, which keeps a name safe in a URL and a Redis key, at most
 * {@link GoldenSets#MAX_ITEMS} items, unique ids).
 */
public record GoldenSet(String name, List<GoldenItem> items) {

    public GoldenSet {
        requireNonNull(name, "name");
        if (!GoldenSets.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + GoldenSets.NAME.pattern() + ", got " + name);
        }
        items = List.copyOf(items);
        if (items.size() > GoldenSets.MAX_ITEMS) {
            throw new IllegalArgumentException("at most " + GoldenSets.MAX_ITEMS + " items, got " + items.size());
        }
        Set<String> ids = new HashSet<>();
        for (GoldenItem item : items) {
            if (!ids.add(item.id())) throw new IllegalArgumentException("ids must be unique, '" + item.id() + "' repeats");
        }
    }
}
