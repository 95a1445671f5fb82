package dev.turnout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import java.util.ArrayList;
import java.util.List;

/** How the CLI shows things to a person: aligned tables, YAML, and line diffs of YAML renderings. */
final class Text {

    private Text() {}

    /** Columns padded to their widest cell; a null cell prints as "-". */
    static String table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], cell(row, i).length());
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(i == widths.length - 1 ? cell(row, i) : String.format("%-" + widths[i] + "s  ", cell(row, i)));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String cell(List<String> row, int i) {
        String value = i < row.size() ? row.get(i) : null;
        return value == null || value.isEmpty() ? "-" : value.replace('\n', ' ');
    }

    /** A field as text, "-" when absent or null; numbers as JSON writes them. */
    static String field(JsonNode node, String name) {
        JsonNode value = node.path(name);
        return value.isMissingNode() || value.isNull() ? "-" : value.isValueNode() ? value.asText() : value.toString();
    }

    /** A number to 4 significant digits without trailing zeros (0.05, 10, 0.0123), "-" when absent. */
    static String number(JsonNode node, String name) {
        JsonNode value = node.path(name);
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) return field(node, name);
        return new java.math.BigDecimal(value.asDouble()).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    static String yaml(JsonNode node) {
        try {
            return RouteCodec.YAML.writeValueAsString(node).replaceFirst("^---\\n", "");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree that is not YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** A route table without its revision: two tables are compared by content, never by number. */
    static String routesYaml(JsonNode routes) {
        JsonNode copy = routes.deepCopy();
        if (copy instanceof ObjectNode object) object.remove("revision");
        return yaml(copy);
    }

    /**
     * A unified-style line diff ({@code -} old, {@code +} new, 3 lines of context, {@code @@} between
     * distant changes), or an empty string when the texts are equal. Longest common subsequence over
     * lines: route tables are hundreds of lines at most.
     */
    static String diff(String oldLabel, String oldText, String newLabel, String newText) {
        if (oldText.equals(newText)) return "";
        String[] a = oldText.split("\n", -1);
        String[] b = newText.split("\n", -1);
        int[][] common = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                common[i][j] = a[i].equals(b[j]) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                lines.add(" " + a[i++]);
                j++;
            } else if (i < a.length && (j == b.length || common[i + 1][j] >= common[i][j + 1])) {
                lines.add("-" + a[i++]); // removals before additions, as diff -u prints them
            } else {
                lines.add("+" + b[j++]);
            }
        }
        StringBuilder out = new StringBuilder("--- " + oldLabel + "\n+++ " + newLabel + "\n");
        int lastShown = -1;
        for (int k = 0; k < lines.size(); k++) {
            if (!near(lines, k, 3)) continue;
            if (lastShown >= 0 && k > lastShown + 1) out.append("@@\n");
            String line = lines.get(k);
            if (!(line.equals(" ") && k == lines.size() - 1)) out.append(line.stripTrailing()).append('\n');
            lastShown = k;
        }
        return out.toString();
    }

    private static boolean near(List<String> lines, int k, int context) {
        for (int d = Math.max(0, k - context); d <= Math.min(lines.size() - 1, k + context); d++) {
            if (!lines.get(d).startsWith(" ")) return true;
        }
        return false;
    }
}
