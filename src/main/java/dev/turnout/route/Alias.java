package dev.turnout.route;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What clients put in {@code model}: a weighted split over versions, how callers stay on one
 * version, per-client pins, shadow candidates, and the fallback served when the chosen version is
 * unavailable. Maps keep the order they were written in, so the table reads back as written.
 */
public record Alias(String name, Map<String, Double> split, Sticky sticky, Map<String, String> pins,
                    List<Shadow> shadows, double noiseSample, String fallback) {

    public Alias {
        requireNonNull(name, "name");
        split = ordered(requireNonNull(split, "split"));
        sticky = sticky == null ? Sticky.CLIENT : sticky;
        pins = ordered(pins == null ? Map.of() : pins);
        shadows = shadows == null ? List.of() : List.copyOf(shadows);
    }

    static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public Alias withSplit(Map<String, Double> newSplit) {
        return new Alias(name, newSplit, sticky, pins, shadows, noiseSample, fallback);
    }
}
