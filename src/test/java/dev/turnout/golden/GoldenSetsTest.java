package dev.turnout.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GoldenSetsTest {

    private static final String MESSAGES = "\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]";

    private static String item(String id, String check) {
        return "{\"id\": \"" + id + "\", " + MESSAGES + ", \"check\": " + check + "}";
    }

    private static List<String> problems(String body, boolean jsonl) {
        try {
            GoldenSets.parse("s", body, jsonl);
        } catch (InvalidGoldenSetException e) {
            return e.problems();
        }
        throw new AssertionError("parsed: " + body);
    }

    @Test
    void theShippedSetParsesWithEveryKindAndRoundTrips() throws Exception {
        GoldenSet set = GoldenSets.parse("support-golden", Files.readString(Path.of("conf/golden/support-golden.jsonl")), true);

        assertThat(set.items()).hasSizeBetween(18, 25);
        assertThat(set.items().stream().map(item -> item.check().kind()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(ItemReader.KINDS.toArray(String[]::new));
        assertThat(set.items().stream().filter(item -> !item.chat()).map(GoldenItem::id)).containsExactly("legacy-add-250-250");
        assertThat(GoldenSets.parse("support-golden", GoldenSets.toJsonl(set), true)).isEqualTo(set);
    }

    @Test
    void readsEveryCheckKindWithItsFieldsAndMergesParamsIntoTheRequest() {
        String body = String.join("\n",
                item("a", "{\"kind\": \"exact\", \"value\": \"42\"}"),
                item("b", "{\"kind\": \"contains\", \"value\": \"refund\"}"),
                item("c", "{\"kind\": \"regex\", \"pattern\": \"\\\\[Yes\\\\]\"}"),
                item("d", "{\"kind\": \"oneOf\", \"values\": [\"Yes\", \"No\"]}"),
                item("e", "{\"kind\": \"number\", \"value\": 3.5, \"tolerance\": 0.1}"),
                item("f", "{\"kind\": \"jsonSchema\", \"schema\": {\"type\": \"object\", \"required\": [\"name\"]}}"),
                item("g", "{\"kind\": \"semantic\", \"reference\": \"full refund in 30 days\"}"),
                "{\"id\": \"h\", " + MESSAGES + ", \"params\": {\"temperature\": 0, \"max_tokens\": 9, \"tools\": [{\"type\": \"function\","
                        + " \"function\": {\"name\": \"lookup_order\"}}]}, \"check\": {\"kind\": \"toolCall\", \"name\": \"lookup_order\","
                        + " \"arguments\": {\"order_id\": \"A-1\"}}}",
                "{\"id\": \"i\", \"prompt\": \"Q: 2+2?\", \"check\": {\"kind\": \"number\", \"value\": 4}}");

        GoldenSet set = GoldenSets.parse("all-kinds", body, true);

        Map<String, GoldenItem> byId = set.items().stream().collect(Collectors.toMap(GoldenItem::id, Function.identity()));
        assertThat(byId.get("a").check()).isEqualTo(new Check.Exact("42"));
        assertThat(byId.get("b").check()).isEqualTo(new Check.Contains("refund"));
        assertThat(byId.get("c").check()).isEqualTo(new Check.Regex("\\[Yes\\]"));
        assertThat(byId.get("d").check()).isEqualTo(new Check.OneOf(List.of("Yes", "No")));
        assertThat(byId.get("e").check()).isEqualTo(new Check.NumberCheck(3.5, 0.1));
        assertThat(byId.get("f").check().kind()).isEqualTo("jsonSchema");
        assertThat(byId.get("g").check()).isEqualTo(new Check.Semantic("full refund in 30 days", GoldenSets.DEFAULT_MIN_SIMILARITY));
        assertThat(byId.get("h").check()).isEqualTo(new Check.ToolCall("lookup_order",
                GoldenSets.JSON.createObjectNode().put("order_id", "A-1")));
        ObjectNode request = byId.get("h").request();
        assertThat(request.fieldNames()).toIterable().containsExactlyInAnyOrder("messages", "temperature", "max_tokens", "tools");
        assertThat(request.has("model")).isFalse();
        assertThat(byId.get("h").chat()).isTrue();
        assertThat(byId.get("i").chat()).isFalse();
        assertThat(byId.get("i").request().path("prompt").asText()).isEqualTo("Q: 2+2?");
        assertThat(GoldenSets.parse("all-kinds", GoldenSets.toJsonl(set), true)).isEqualTo(set);
    }

    @Test
    void itemsAreImmutableThroughTheirRequest() {
        GoldenItem item = GoldenSets.parse("s", item("a", "{\"kind\": \"exact\", \"value\": \"x\"}"), true).items().get(0);

        item.request().put("model", "sneaky");

        assertThat(item.request().has("model")).isFalse();
    }

    @Test
    void jsonDocumentsAreAListOrAnItemsObjectAndNameItemsByIndex() {
        String list = "[" + item("a", "{\"kind\": \"exact\", \"value\": \"x\"}") + "]";

        assertThat(GoldenSets.parse("s", list, false).items()).hasSize(1);
        assertThat(GoldenSets.parse("s", "{\"items\": " + list + "}", false).items()).hasSize(1);
        assertThat(problems("[" + item("a", "{\"kind\": \"fuzzy\"}") + ", {\"id\": 5}]", false))
                .anySatisfy(problem -> assertThat(problem).startsWith("items[0]: check.kind: unknown 'fuzzy'"))
                .anySatisfy(problem -> assertThat(problem).startsWith("items[1]: id: must be a string"));
        assertThat(problems("{\"things\": []}", false)).containsExactly("document: must be a list of items or {\"items\": [...]}, got {\"things\":[]}");
    }

    @Test
    void reportsEveryProblemWithItsLineAndField() {
        String body = String.join("\n",
                item("ok", "{\"kind\": \"exact\", \"value\": \"x\"}"),
                "",
                item("fuzzy", "{\"kind\": \"fuzzy\"}"),
                "{\"id\": \"bad id!\", \"prompt\": \"p\", " + MESSAGES.replace("messages", "extra") + ", \"check\": {\"kind\": \"exact\"}}",
                "{\"id\": \"p\", " + MESSAGES + ", \"params\": {\"model\": \"gpt\", \"temperature\": 5}, \"check\": {\"kind\": \"number\","
                        + " \"value\": \"ten\", \"tolerance\": -1}}",
                "not json",
                item("ok", "{\"kind\": \"exact\", \"value\": \"y\"}"),
                item("r", "{\"kind\": \"regex\", \"pattern\": \"(unclosed\"}"),
                item("t", "{\"kind\": \"toolCall\", \"name\": \"lookup_order\"}"),
                item("s", "{\"kind\": \"semantic\", \"reference\": \"\", \"minSimilarity\": 2}"),
                item("j", "{\"kind\": \"jsonSchema\", \"schema\": {\"$ref\": \"http://169.254.169.254/schema\"}}"),
                item("o", "{\"kind\": \"oneOf\", \"values\": []}"));

        List<String> problems = problems(body, true);

        assertThat(problems).contains(
                "line 3: check.kind: unknown 'fuzzy' (expected exact, contains, regex, oneOf, number, jsonSchema, semantic, toolCall)",
                "line 4: extra: unknown field (expected id, messages, prompt, params, check)",
                "line 4: id: must be a string matching [A-Za-z0-9._:-]{1,128}, got \"bad id!\"",
                "line 4: check.value: required, a string; got nothing",
                "line 5: params.model: not allowed here; the probe names the version it asks",
                "line 5: params.temperature: must be a number from 0 to 2, got 5",
                "line 5: check.value: required, a number; got \"ten\"",
                "line 5: check.tolerance: must be a number of at least 0, got -1",
                "line 7: id: 'ok' repeats line 1; ids must be unique in a set",
                "line 9: params.tools: required by a toolCall check: the tools the model may call",
                "line 10: check.minSimilarity: must be a number in (0, 1], got 2",
                "line 12: check.values: required, a list of 1 to 100 strings; got []");
        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("line 6: not valid JSON: "));
        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("line 8: check.pattern: not a valid regular expression"));
        assertThat(problems).anySatisfy(problem -> assertThat(problem)
                .startsWith("line 11: check.schema: not a usable JSON Schema: only references inside the schema"));
        assertThat(problems).allSatisfy(problem -> assertThat(problem).matches("line \\d+: .*"));
    }

    @Test
    void refusesHostileDocumentsWithOneProblemEach() {
        String good = item("x", "{\"kind\": \"exact\", \"value\": \"x\"}");
        StringBuilder tooMany = new StringBuilder();
        for (int i = 0; i <= GoldenSets.MAX_ITEMS; i++) tooMany.append(good.replace("\"x\"", "\"q" + i + "\"")).append('\n');
        assertThat(problems(tooMany.toString(), true))
                .containsExactly("line 10001: more than 10000 items; a set holds at most 10000");

        String longLine = item("long", "{\"kind\": \"exact\", \"value\": \"" + "a".repeat(100 * 1024) + "\"}");
        assertThat(problems(good + "\n" + longLine, true))
                .containsExactly("line 2: at most 65536 characters a line, got " + longLine.length());

        String deep = "{\"id\": \"d\", " + MESSAGES + ", \"check\": {\"kind\": \"jsonSchema\", \"schema\": "
                + "{\"not\": ".repeat(100) + "{}" + "}".repeat(100) + "}}";
        assertThat(problems(deep, true)).singleElement().asString().startsWith("line 1: not valid JSON: Document nesting depth");

        assertThat(problems(item("r", "{\"kind\": \"regex\", \"pattern\": \"" + "a".repeat(1001) + "\"}"), true))
                .containsExactly("line 1: check.pattern: at most 1000 characters, got 1001");

        assertThat(problems("x".repeat(GoldenSets.MAX_DOCUMENT_CHARS + 1), true))
                .containsExactly("document: at most 8388608 characters, got 8388609");
        assertThat(problems("  \n ", true)).containsExactly("document: empty; expected one item per line");
        assertThat(problems("{\"id\": \"a\", \"id\": \"b\", " + MESSAGES + "}", true))
                .singleElement().asString().startsWith("line 1: not valid JSON: Duplicate field 'id'");
    }

    @Test
    void capsTheListOfProblemsLikeRouteDocuments() {
        String many = (item("x", "{\"kind\": \"fuzzy\"}") + "\n").repeat(500);

        List<String> problems = problems(many, true);

        assertThat(problems).hasSize(101);
        assertThat(problems.get(100)).isEqualTo("... and 400 more problem(s) not listed; fix these first");
    }

    @Test
    void refusesBadNames() {
        assertThatThrownBy(() -> GoldenSets.parse("../etc", item("a", "{\"kind\": \"exact\", \"value\": \"x\"}"), true))
                .isInstanceOf(InvalidGoldenSetException.class)
                .extracting(e -> ((InvalidGoldenSetException) e).problems())
                .isEqualTo(List.of("name: must match [A-Za-z0-9._-]{1,64}, got '../etc'"));
    }

    @Test
    void setsBuiltInCodeKeepTheSameBounds() {
        GoldenItem item = GoldenSets.parse("s", item("a", "{\"kind\": \"exact\", \"value\": \"x\"}"), true).items().get(0);

        assertThatThrownBy(() -> new GoldenSet("a:b", List.of(item))).hasMessageContaining("name must match");
        assertThatThrownBy(() -> new GoldenSet("s", List.of(item, item))).hasMessage("ids must be unique, 'a' repeats");
        assertThatThrownBy(() -> new GoldenItem("bad id", item.request(), item.check())).hasMessageContaining("id must match");
    }
}
