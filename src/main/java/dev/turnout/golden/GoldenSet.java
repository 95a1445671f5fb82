package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A named list of golden items. {@link GoldenSets#parse} is the way in from outside and checks
 * every bound ({@link GoldenSets#NAME}, at most {@link GoldenSets#MAX_ITEMS} items, unique ids).
 */
public record GoldenSet(String name, List<GoldenItem> items) {

    public GoldenSet {
        requireNonNull(name, "name");
        items = List.copyOf(items);
    }
}
