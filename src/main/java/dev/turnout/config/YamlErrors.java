package dev.turnout.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Says where a YAML document stops being YAML, in the words a person fixing the file needs: line,
 * column and the parser's problem. The parser's own message spans several lines with snippets
 * and carets, and Jackson's adds class names and a source description; neither helps an operator.
 */
public final class YamlErrors {

    private YamlErrors() {}

    /** {@code line 3, column 1: expected ',' or '}', but got <scalar> (while parsing a flow mapping at line 2, column 7)}. */
    public static String describe(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String problem = oneLine(marked.getProblem());
            Mark context = marked.getContextMark();
            String where = marked.getContext() == null ? ""
                    : " (" + oneLine(marked.getContext()) + (context == null ? "" : " at " + at(context.getLine() + 1, context.getColumn() + 1)) + ")";
            return at(marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1) + ": " + problem + where;
        }
        JsonLocation location = e.getLocation();
        String problem = oneLine(e.getOriginalMessage());
        return location == null ? problem : at(location.getLineNr(), location.getColumnNr()) + ": " + problem;
    }

    private static String at(int line, int column) {
        return "line " + line + ", column " + column;
    }

    private static String oneLine(String text) {
        return text == null ? "not valid YAML" : text.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
}
