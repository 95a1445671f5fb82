package dev.turnout.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.load.LoadGenerator.Result;
import dev.turnout.load.LoadGenerator.StreamResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;

/** Collects every arm's figures and writes them as JSON, a markdown table and a latency chart. */
final class Report {

    private final String mode;
    private final Map<String, List<Double>> throughput = new LinkedHashMap<>();
    private final Map<String, Histogram> c1 = new LinkedHashMap<>();
    private final Map<String, Histogram> rate = new LinkedHashMap<>();
    private final Map<String, double[]> rateThroughput = new LinkedHashMap<>();
    private final Map<String, Histogram> ttft = new LinkedHashMap<>();
    private final Map<String, Histogram> gaps = new LinkedHashMap<>();
    private final Map<String, List<Double>> chunksPerStream = new LinkedHashMap<>();
    private final Map<Boolean, List<Double>> shadowThroughput = new LinkedHashMap<>();
    private final Map<Boolean, Histogram> shadowC1 = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private long unanswered;
    private long timeouts;
    /** Where requests went unanswered ("throughput/portkey" -> count), so a failed run names its arm. */
    private final Map<String, Long> unansweredBy = new LinkedHashMap<>();
    private final Map<String, com.fasterxml.jackson.databind.JsonNode> extras = new LinkedHashMap<>();
    private double rssMiB = -1;
    private long heapPerConnection = -1;
    private int idleConnections;
    private Histogram rollbackUs;
    private DifferCost.Cost differCost;

    Report(String mode) {
        this.mode = mode;
    }

    void skip(String arm, String reason) {
        skipped.put(arm, reason);
    }

    long unanswered() {
        return unanswered;
    }

    long timeouts() {
        return timeouts;
    }

    /** A figure measured beside the arms (machine, CPU per request, shadow memory...), written as is. */
    void extra(String key, com.fasterxml.jackson.databind.JsonNode value) {
        extras.put(key, value);
    }

    private void count(String where, long errors, long timedOut) {
        unanswered += errors;
        timeouts += timedOut;
        if (errors > 0) unansweredBy.merge(where, errors, Long::sum);
    }

    void throughput(String arm, Result result) {
        count("throughput/" + arm, result.errors(), result.timeouts());
        throughput.computeIfAbsent(arm, a -> new ArrayList<>()).add(result.throughput());
    }

    void latencyC1(String arm, Result result) {
        count("c1/" + arm, result.errors(), result.timeouts());
        merge(c1, arm, result.latencyUs());
    }

    void rate(String arm, Result result) {
        count("rate/" + arm, result.errors(), result.timeouts());
        merge(rate, arm, result.latencyUs());
        rateThroughput.put(arm, new double[] {result.throughput()});
    }

    void rss(double mib) {
        rssMiB = mib;
    }

    void stream(String arm, StreamResult result) {
        count("stream/" + arm, result.errors(), result.timeouts());
        merge(ttft, arm, result.ttftUs());
        merge(gaps, arm, result.gapUs());
        chunksPerStream.computeIfAbsent(arm, a -> new ArrayList<>()).add(result.streams() == 0 ? 0 : result.chunks() / (double) result.streams());
    }

    void shadow(boolean on, Result loaded, Result single) {
        count("shadow/" + (on ? "on" : "off"), loaded.errors() + single.errors(), loaded.timeouts() + single.timeouts());
        shadowThroughput.computeIfAbsent(on, a -> new ArrayList<>()).add(loaded.throughput());
        merge(shadowC1, on, single.latencyUs());
    }

    void heapPerIdleConnection(long bytes, int connections) {
        heapPerConnection = bytes;
        idleConnections = connections;
    }

    void rollback(Histogram histogram) {
        rollbackUs = histogram;
    }

    void differCost(DifferCost.Cost cost) {
        differCost = cost;
    }

    private static <K> void merge(Map<K, Histogram> into, K key, Histogram histogram) {
        into.computeIfAbsent(key, k -> new Histogram(60_000_000L, 3)).add(histogram);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
    }

    private static Double p(Map<String, Histogram> map, String arm, double percentile) {
        Histogram histogram = map.get(arm);
        return histogram == null || histogram.getTotalCount() == 0 ? null : (double) histogram.getValueAtPercentile(percentile);
    }

    private static Double minus(Double a, Double b) {
        return a == null || b == null ? null : a - b;
    }

    ObjectNode json() {
        ObjectNode root = Bench.JSON.createObjectNode();
        root.put("mode", mode).put("cores", Runtime.getRuntime().availableProcessors()).put("java", System.getProperty("java.version"));
        ObjectNode tput = root.putObject("throughput");
        for (String arm : List.of("direct", "turnout", "nginx", "portkey")) {
            List<Double> values = throughput.get(arm);
            if (values == null) tput.putNull(arm);
            else tput.put(arm, Math.round(median(values)));
        }
        Double turnout = throughput.containsKey("turnout") ? median(throughput.get("turnout")) : null;
        ObjectNode ratios = root.putObject("throughputRatios");
        for (String arm : List.of("direct", "nginx", "portkey")) {
            if (turnout == null || !throughput.containsKey(arm)) ratios.putNull("turnoutVs" + capitalise(arm));
            else ratios.put("turnoutVs" + capitalise(arm), round(turnout / median(throughput.get(arm))));
        }
        ObjectNode latency = root.putObject("latencyUs");
        for (String arm : c1.keySet()) {
            latency.putObject(arm).put("c1P50", p(c1, arm, 50)).put("c1P99", p(c1, arm, 99));
        }
        for (String arm : rate.keySet()) {
            latency.with(arm).put("rateP50", p(rate, arm, 50)).put("rateP99", p(rate, arm, 99))
                    .put("rateAchieved", Math.round(rateThroughput.get(arm)[0]));
        }
        ObjectNode added = root.putObject("addedLatencyUs");
        added.putObject("c1").put("p50", minus(p(c1, "turnout", 50), p(c1, "direct", 50)))
                .put("p99", minus(p(c1, "turnout", 99), p(c1, "direct", 99)));
        added.putObject("rate5000").put("p50", minus(p(rate, "turnout", 50), p(rate, "direct", 50)))
                .put("p99", minus(p(rate, "turnout", 99), p(rate, "direct", 99)))
                .put("note", mode.equals("full") ? "5000 req/s" : "quick mode runs 1000 req/s");
        ObjectNode sse = root.putObject("sse");
        sse.put("addedTtftUsP99", minus(p(ttft, "turnout", 99), p(ttft, "direct", 99)))
                .put("addedGapUsP99", minus(p(gaps, "turnout", 99), p(gaps, "direct", 99)));
        Double directChunks = chunksPerStream.containsKey("direct") ? median(chunksPerStream.get("direct")) : null;
        Double turnoutChunks = chunksPerStream.containsKey("turnout") ? median(chunksPerStream.get("turnout")) : null;
        sse.put("chunksEqual", directChunks != null && directChunks.equals(turnoutChunks))
                .put("chunksPerStreamDirect", directChunks).put("chunksPerStreamTurnout", turnoutChunks);
        ObjectNode shadow = root.putObject("shadow");
        if (shadowThroughput.containsKey(true)) {
            shadow.put("throughputRatio", round(median(shadowThroughput.get(true)) / median(shadowThroughput.get(false))))
                    .put("addedP99Us", shadowC1.get(true).getValueAtPercentile(99) - shadowC1.get(false).getValueAtPercentile(99))
                    .put("p50UsOff", shadowC1.get(false).getValueAtPercentile(50)).put("p50UsOn", shadowC1.get(true).getValueAtPercentile(50))
                    .put("p99UsOff", shadowC1.get(false).getValueAtPercentile(99)).put("p99UsOn", shadowC1.get(true).getValueAtPercentile(99));
        }
        ObjectNode rollback = root.putObject("rollbackMs");
        if (rollbackUs == null) {
            rollback.putNull("p50").putNull("p99");
        } else {
            rollback.put("p50", rollbackUs.getValueAtPercentile(50) / 1000.0).put("p99", rollbackUs.getValueAtPercentile(99) / 1000.0)
                    .put("max", rollbackUs.getMaxValue() / 1000.0).put("changes", rollbackUs.getTotalCount());
        }
        if (differCost != null) {
            root.putObject("differUsPerPair").put("shortAnswer16Tokens", differCost.shortPairUs())
                    .put("longAnswer2000Tokens", differCost.longPairUs());
        }
        if (heapPerConnection < 0) root.putNull("heapBytesPerIdleConnection");
        else root.put("heapBytesPerIdleConnection", heapPerConnection);
        root.put("idleConnections", idleConnections);
        if (rssMiB < 0) root.putNull("rssMiB");
        else root.put("rssMiB", Math.round(rssMiB));
        ObjectNode skips = root.putObject("skipped");
        skipped.forEach(skips::put);
        ObjectNode failures = root.putObject("unanswered");
        unansweredBy.forEach(failures::put);
        ObjectNode causes = root.putObject("failureCauses");
        LoadGenerator.FAILURE_CAUSES.forEach((cause, count) -> causes.put(cause, count.get()));
        extras.forEach(root::set);
        root.put("unanswered", unanswered).put("timeouts", timeouts);
        return root;
    }

    String markdown() {
        ObjectNode json = json();
        StringBuilder md = new StringBuilder("| arm | throughput (req/s) | c1 p50 (µs) | c1 p99 (µs) | rate p50 (µs) | rate p99 (µs) |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String arm : List.of("direct", "turnout", "nginx", "portkey")) {
            md.append("| ").append(arm).append(" | ").append(json.at("/throughput/" + arm).asText("n/a"))
                    .append(" | ").append(json.at("/latencyUs/" + arm + "/c1P50").asText("n/a"))
                    .append(" | ").append(json.at("/latencyUs/" + arm + "/c1P99").asText("n/a"))
                    .append(" | ").append(json.at("/latencyUs/" + arm + "/rateP50").asText("n/a"))
                    .append(" | ").append(json.at("/latencyUs/" + arm + "/rateP99").asText("n/a")).append(" |\n");
        }
        md.append("\n").append("Added by Turnout: c1 p50 ").append(json.at("/addedLatencyUs/c1/p50").asText())
                .append(" µs, p99 ").append(json.at("/addedLatencyUs/c1/p99").asText())
                .append(" µs; at a constant rate p50 ").append(json.at("/addedLatencyUs/rate5000/p50").asText())
                .append(" µs, p99 ").append(json.at("/addedLatencyUs/rate5000/p99").asText()).append(" µs\n")
                .append("SSE: added TTFT p99 ").append(json.at("/sse/addedTtftUsP99").asText()).append(" µs, added gap p99 ")
                .append(json.at("/sse/addedGapUsP99").asText()).append(" µs, chunks equal: ").append(json.at("/sse/chunksEqual").asText()).append('\n')
                .append("Shadow 100%: throughput ratio ").append(json.at("/shadow/throughputRatio").asText())
                .append(", added c1 p99 ").append(json.at("/shadow/addedP99Us").asText()).append(" µs\n")
                .append("Rollback to 3 instances: p50 ").append(json.at("/rollbackMs/p50").asText()).append(" ms, p99 ")
                .append(json.at("/rollbackMs/p99").asText()).append(" ms over ").append(json.at("/rollbackMs/changes").asText()).append(" changes\n")
                .append("Differ per pair (assemble both streams + compare): ").append(json.at("/differUsPerPair/shortAnswer16Tokens").asText())
                .append(" µs for 16 tokens, ").append(json.at("/differUsPerPair/longAnswer2000Tokens").asText()).append(" µs for 2 000 tokens\n")
                .append("Heap per idle connection: ").append(json.at("/heapBytesPerIdleConnection").asText()).append(" B over ")
                .append(idleConnections).append(" connections; gateway RSS at the end of the constant-rate run: ")
                .append(json.at("/rssMiB").asText()).append(" MiB\n")
                .append("CPU ms per 10 000 requests: ").append(json.path("cpuMsPer10k")).append('\n')
                .append("Shadow, 300-token answers: ").append(json.path("shadowLongAnswers")).append('\n')
                .append("Machine: ").append(json.path("machine")).append('\n');
        if (json.has("failed")) md.append("FAILED: ").append(json.path("failed").asText()).append('\n');
        skipped.forEach((arm, reason) -> md.append("Skipped ").append(arm).append(": ").append(reason).append('\n'));
        unansweredBy.forEach((where, count) -> md.append("Unanswered in ").append(where).append(": ").append(count).append('\n'));
        LoadGenerator.FAILURE_CAUSES.forEach((cause, count) -> md.append("Failed: ").append(cause).append(": ")
                .append(count.get()).append('\n'));
        return md.toString();
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("latest.json"), json().toPrettyString());
        Files.writeString(dir.resolve("latest.md"), markdown());
        ImageIO.write(chart(), "png", dir.resolve("latency.png").toFile());
    }

    /** Bars of p50 and p99 at one connection and at the constant rate, per arm, on a log scale. */
    private BufferedImage chart() {
        List<String> labels = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (String arm : c1.keySet()) {
            labels.add(arm + " c1");
            values.add(new double[] {p(c1, arm, 50), p(c1, arm, 99)});
        }
        for (String arm : rate.keySet()) {
            labels.add(arm + " rate");
            values.add(new double[] {p(rate, arm, 50), p(rate, arm, 99)});
        }
        int width = 140 + 110 * Math.max(1, labels.size());
        int height = 420;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Latency per arm (µs, log scale): p50 light, p99 dark — " + mode + " run", 20, 24);
        int top = 50;
        int bottom = height - 60;
        double max = values.stream().mapToDouble(v -> v[1]).max().orElse(10);
        double logMax = Math.log10(Math.max(10, max * 1.5));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int exponent = 1; exponent <= Math.ceil(logMax); exponent++) {
            int y = bottom - (int) ((bottom - top) * exponent / logMax);
            g.setColor(new Color(220, 220, 220));
            g.setStroke(new BasicStroke(1));
            g.drawLine(80, y, width - 20, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%,d", (long) Math.pow(10, exponent)), 20, y + 4);
        }
        for (int i = 0; i < labels.size(); i++) {
            int x = 100 + i * 110;
            for (int k = 0; k < 2; k++) {
                double value = values.get(i)[k];
                int barHeight = (int) ((bottom - top) * Math.log10(Math.max(1, value)) / logMax);
                g.setColor(k == 0 ? new Color(120, 170, 230) : new Color(30, 80, 160));
                g.fillRect(x + k * 40, bottom - barHeight, 36, barHeight);
                g.setColor(Color.BLACK);
                g.drawString(String.format("%,.0f", value), x + k * 40, bottom - barHeight - 4);
            }
            g.drawString(labels.get(i), x, bottom + 18);
        }
        g.dispose();
        return image;
    }

    private static String capitalise(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
