package dev.turnout.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteChangesTest {

    private static final RouteTable TABLE = RouteCodec.fromYaml(String.join("\n",
            "revision: 4",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:1/v1' }",
            "  v2: { url: 'http://127.0.0.1:2/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 }, fallback: v1 }",
            ""));

    private static JsonNode json(String text) throws Exception {
        return RouteCodec.JSON.readTree(text);
    }

    @Test
    void shouldMergeAPatchIntoOneAlias() throws Exception {
        RouteTable patched = RouteChanges.patchAlias(TABLE, "bot", json("{\"split\":{\"v2\":50},\"fallback\":null}"));
        assertThat(patched.alias("bot").split()).isEqualTo(Map.of("v1", 90.0, "v2", 50.0));
        assertThat(patched.alias("bot").fallback()).isNull();
        assertThat(TABLE.alias("bot").split().get("v2")).isEqualTo(10.0);
    }

    @Test
    void shouldRemoveASplitEntryWithANullWeight() throws Exception {
        RouteTable patched = RouteChanges.patchAlias(TABLE, "bot", json("{\"split\":{\"v2\":null}}"));
        assertThat(patched.alias("bot").split()).containsOnlyKeys("v1");
    }

    @Test
    void shouldValidatePartialChangesLikeWholeDocuments() throws Exception {
        assertThatThrownBy(() -> RouteChanges.patchAlias(TABLE, "bot", json("{\"split\":{\"v9\":5},\"noiseSample\":2}")))
                .isInstanceOfSatisfying(InvalidRoutesException.class, e -> assertThat(e.errors()).anySatisfy(
                        m -> assertThat(m).startsWith("aliases.bot.split.v9: no version named 'v9'")).anySatisfy(
                        m -> assertThat(m).startsWith("aliases.bot.noiseSample: must be between 0 and 1")));
        assertThatThrownBy(() -> RouteChanges.patchAlias(TABLE, "nobody", json("{}")))
                .isInstanceOf(RouteChanges.NotFoundException.class);
    }

    @Test
    void shouldRefuseToDeleteAVersionNamingEveryAliasAndFieldThatUsesIt() {
        RouteTable table = RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:1/v1' }",
                "  v2: { url: 'http://127.0.0.1:2/v1' }",
                "  v3: { url: 'http://127.0.0.1:3/v1' }",
                "aliases:",
                "  bot: { split: { v1: 90, v2: 10 } }",
                "  pinned: { split: { v1: 1 }, pins: { tester: v2 } }",
                "  shadowed: { split: { v1: 1 }, shadow: [{ version: v2, sample: 0.1 }] }",
                "  safe: { split: { v3: 1 }, fallback: v2 }",
                "  unrelated: { split: { v1: 1 } }",
                ""));
        assertThatThrownBy(() -> RouteChanges.deleteVersion(table, "v2"))
                .isInstanceOfSatisfying(RouteChanges.InUseException.class, e -> {
                    assertThat(e.uses()).containsExactly("aliases.bot.split.v2", "aliases.pinned.pins.tester",
                            "aliases.shadowed.shadow", "aliases.safe.fallback");
                    assertThat(e.getMessage()).contains("'v2'").contains("bot, pinned, shadowed, safe").doesNotContain("unrelated");
                });
        assertThat(RouteChanges.deleteVersion(RouteChanges.deleteAlias(table, "safe"), "v3").version("v3")).isNull();
        assertThatThrownBy(() -> RouteChanges.deleteAlias(table, "nobody")).isInstanceOf(RouteChanges.NotFoundException.class);
    }

    @Test
    void shouldAddAVersionAndAnAlias() throws Exception {
        RouteTable withVersion = RouteChanges.putVersion(TABLE, "v3", json("{\"url\":\"https://api.example.com/v1\",\"model\":\"m3\"}"));
        RouteTable withAlias = RouteChanges.putAlias(withVersion, "canary", json("{\"split\":{\"v3\":1}}"));
        assertThat(withAlias.version("v3").model()).isEqualTo("m3");
        assertThat(withAlias.alias("canary").split()).isEqualTo(Map.of("v3", 1.0));
    }

    @Test
    void shouldRestoreAnAliasAndTheVersionsItNeeded() throws Exception {
        RouteTable moved = RouteChanges.putAlias(TABLE, "bot", json("{\"split\":{\"v1\":100}}"));
        RouteTable withoutV2 = RouteChanges.deleteVersion(moved, "v2");
        RouteTable restored = RouteChanges.restoreAlias(withoutV2, TABLE, "bot");
        assertThat(restored.alias("bot")).isEqualTo(TABLE.alias("bot"));
        assertThat(restored.version("v2")).isEqualTo(TABLE.version("v2"));
    }
}
