package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void shouldDiffLinesWithContextAndSeparateDistantChanges() {
        String old = String.join("\n", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "");
        String changed = String.join("\n", "a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "");

        String diff = Text.diff("old", old, "new", changed);

        assertThat(diff).isEqualTo(String.join("\n", "--- old", "+++ new", " a", "-b", "+B", " c", " d", " e", "@@",
                " j", " k", " l", "+m", ""));
    }

    @Test
    void shouldSayNothingForEqualTexts() {
        assertThat(Text.diff("old", "a\nb\n", "new", "a\nb\n")).isEmpty();
    }

    @Test
    void shouldAlignColumnsAndShowMissingCellsAsDashes() {
        String table = Text.table(List.of("ID", "STATE"), List.of(List.of("r-1", "running"), java.util.Arrays.asList("r-22", null)));
        assertThat(table).isEqualTo("ID    STATE\nr-1   running\nr-22  -\n");
    }

    @Test
    void shouldRoundNumbersToFourSignificantDigitsWithoutTrailingZeros() throws Exception {
        com.fasterxml.jackson.databind.JsonNode node = dev.turnout.route.RouteCodec.JSON.readTree(
                "{\"a\": 0.05, \"b\": 10.0, \"c\": 0.012345678, \"d\": null}");
        assertThat(List.of(Text.number(node, "a"), Text.number(node, "b"), Text.number(node, "c"), Text.number(node, "d"),
                Text.number(node, "e"))).containsExactly("0.05", "10", "0.01235", "-", "-");
    }
}
