package dev.turnout.rollout;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteLimits;
import dev.turnout.route.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a rollout document (JSON or YAML, the body of {@code POST /admin/rollouts}) and checks a
 * spec against the routes it would change. Both report every problem at once, each naming its
 * field, so an operator fixes a document in one round trip.
 */
public final class RolloutSpecs {

    /** A rollout is a few hundred bytes; the limit bounds the work a hostile body can cause. */
    public static final int MAX_DOCUMENT_CHARS = 64 * 1024;
    /** The document is four levels deep; anything far deeper is an attack on the parser's stack. */
    static final int MAX_NESTING_DEPTH = 16;
    /** Known names listed in a message, so an answer stays short on a table with thousands of aliases. */
    private static final int MAX_NAMES_LISTED = 20;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH).maxStringLength(MAX_DOCUMENT_CHARS).maxNumberLength(100).build();
    // Duplicate keys are refused: with "last one wins", {"weight": 1, "weight": 100} would skip the ramp.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private RolloutSpecs() {}

    /**
     * The spec a document declares, with omitted fields filled as {@link RolloutSpec} documents.
     *
     * @throws InvalidRolloutException listing every problem; no other exception for any input
     */
    public static RolloutSpec parse(String body, boolean yaml) {
        if (body == null || body.isBlank()) {
            throw new InvalidRolloutException(List.of("document: empty; expected a rollout object"));
        }
        if (body.length() > MAX_DOCUMENT_CHARS) {
            throw new InvalidRolloutException(List.of("document: at most " + MAX_DOCUMENT_CHARS
                    + " characters, got " + body.length()));
        }
        SpecReader reader = new SpecReader();
        RolloutSpec spec = reader.read(readTree(body, yaml));
        if (spec == null) throw new InvalidRolloutException(reader.problems());
        return spec;
    }

    /**
     * The spec as a document {@link #parse} reads back to an equal spec, every field explicit (the
     * defaults filled in are shown, so an operator sees what the rollout will actually do).
     */
    public static ObjectNode toTree(RolloutSpec spec) {
        ObjectNode root = JSON.createObjectNode().put("alias", spec.alias()).put("candidate", spec.candidate());
        if (spec.shadowFirst() != null) {
            root.putObject("shadowFirst").put("sample", spec.shadowFirst().sample()).put("minPairs", spec.shadowFirst().minPairs());
        }
        ArrayNode steps = root.putArray("steps");
        for (RolloutSpec.Step step : spec.steps()) {
            steps.addObject().put("weight", step.weight()).put("minRequests", step.minRequests())
                    .put("minSeconds", step.minSeconds()).put("maxSeconds", step.maxSeconds());
        }
        ObjectNode criteria = root.putObject("criteria");
        spec.criteria().forEach((criterion, threshold) ->
                criteria.putObject(criterion.label()).put(criterion.thresholdName(), threshold));
        root.put("onFailure", spec.onFailure().label());
        if (spec.gate() != null) {
            root.putObject("gate").put("probe", spec.gate().probe()).put("minPassRate", spec.gate().minPassRate())
                    .put("maxDropVsBaseline", spec.gate().maxDropVsBaseline());
        }
        return root;
    }

    private static JsonNode readTree(String body, boolean yaml) {
        String format = yaml ? "YAML" : "JSON";
        try {
            return (yaml ? YAML : JSON).readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message names the problem (duplicate field, nesting depth, NaN token)
            // and the line and column; the location is appended by getMessage, not getOriginalMessage.
            String message = e.getOriginalMessage();
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new InvalidRolloutException(List.of("document: not valid " + format + ": "
                    + SpecReader.echoed(message == null ? e.getClass().getSimpleName() : message) + where));
        } catch (RuntimeException e) {
            // SnakeYAML refuses some inputs (alias bombs, limits) with its own unchecked exceptions;
            // they must reach the operator as a problem, never as a 500.
            throw new InvalidRolloutException(List.of("document: not valid " + format + ": "
                    + SpecReader.echoed(String.valueOf(e.getMessage()))));
        }
    }

    /**
     * Every reason the spec cannot start on this table; empty when it can. The alias must exist,
     * the candidate must be a version, and the alias must keep a baseline: some version other than
     * the candidate with a positive weight, which is what rollback restores.
     */
    public static List<String> problems(RolloutSpec spec, RouteTable table) {
        List<String> problems = new ArrayList<>();
        Alias alias = table.alias(spec.alias());
        if (alias == null) {
            problems.add("alias: no alias named '" + spec.alias() + "' (known: " + listed(table.aliases().keySet()) + ")");
        }
        if (table.version(spec.candidate()) == null) {
            problems.add("candidate: no version named '" + spec.candidate() + "' (known: "
                    + listed(table.versions().keySet()) + "); add it to the routes first");
        }
        if (alias == null) return problems;
        boolean hasBaseline = alias.split().entrySet().stream()
                .anyMatch(entry -> !entry.getKey().equals(spec.candidate()) && entry.getValue() > 0);
        if (!hasBaseline) {
            problems.add("candidate: '" + spec.candidate() + "' already serves all of alias '" + spec.alias()
                    + "' (split " + alias.split() + "); there is no baseline to compare it with or roll back to");
            return problems;
        }
        double currentShare = StepWeights.percentOf(alias.split(), spec.candidate());
        double firstWeight = spec.steps().get(0).weight();
        if (currentShare > firstWeight) {
            // StepWeights gives the candidate exactly the step's weight: starting below its current
            // share would move clients off the candidate and back again, the flapping a ramp must not cause.
            problems.add("steps[0].weight: the candidate already serves " + SpecReader.plain(currentShare)
                    + "% of '" + spec.alias() + "', more than the first step's " + SpecReader.plain(firstWeight)
                    + "%; start at " + SpecReader.plain(currentShare) + " or more, or take it out of the split first");
        }
        if (!alias.split().containsKey(spec.candidate()) && alias.split().size() >= RouteLimits.MAX_SPLIT_VERSIONS) {
            problems.add("alias: '" + spec.alias() + "' already splits over " + alias.split().size()
                    + " versions, the most a split may hold; the candidate cannot be added");
        }
        return problems;
    }

    /** Throws {@link InvalidRolloutException} listing every problem, or returns the spec unchanged. */
    public static RolloutSpec requireStartable(RolloutSpec spec, RouteTable table) {
        List<String> problems = problems(spec, table);
        if (!problems.isEmpty()) throw new InvalidRolloutException(problems);
        return spec;
    }

    private static String listed(Set<String> names) {
        String shown = names.stream().limit(MAX_NAMES_LISTED).collect(Collectors.joining(", ", "[", ""));
        return shown + (names.size() > MAX_NAMES_LISTED ? ", ... " + (names.size() - MAX_NAMES_LISTED) + " more]" : "]");
    }
}
