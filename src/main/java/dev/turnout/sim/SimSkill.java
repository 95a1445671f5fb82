package dev.turnout.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code turnout sim --skill}: right answers to the task shapes of a golden set, computed, not
 * looked up, so any prompt of a shape works. Drifted ({@code --drift-after}), each turns wrong in
 * the way a regressed model's would: primality flipped, arithmetic off by one, a field missing from
 * extracted JSON, a call to a tool that does not exist. Pure and deterministic.
 * <ul>
 *   <li>"Is 17077 a prime number?": "Yes" or "No"; asked to think step by step, the reasoning
 *       (the smallest divisor, or none up to the square root) and then "[Yes]" or "[No]";</li>
 *   <li>"What is 12 + 30?" (also -, *, x, /): the number alone, "42";</li>
 *   <li>"Extract the name and age as JSON: ...": name, age, email and city found in the text, in a
 *       {@code ```json} fence, or bare JSON when {@code response_format} asks for JSON;</li>
 *   <li>any request with {@code tools}: a call to the first tool, each declared argument whose name
 *       ends in {@code id} taken from the question (an id such as {@code A-10293} or {@code 10293}).</li>
 * </ul>
 */
final class SimSkill {

    private static final Pattern PRIME = Pattern.compile("(?i)\\bis\\s+(\\d{1,12})\\s+a\\s+prime\\b");
    private static final Pattern ARITHMETIC = Pattern.compile(
            "(?i)\\bwhat\\s+is\\s+(-?\\d{1,9}(?:\\.\\d{1,6})?)\\s*([-+*/x×])\\s*(-?\\d{1,9}(?:\\.\\d{1,6})?)");
    private static final Pattern EXTRACT = Pattern.compile("(?is)\\bextract\\s+(?:the\\s+)?(.+?)\\s+as\\s+json\\s*:\\s*(.+)");
    private static final Pattern FIELD = Pattern.compile("[a-z_]+");
    private static final Pattern NAME = Pattern.compile("\\b([A-Z][a-z]+(?:\\s+[A-Z][a-z]+)+)");
    private static final Pattern AGE = Pattern.compile("\\b(\\d{1,3})(?:\\s*-\\s*|\\s+)years?\\b|\\baged?\\s+(\\d{1,3})\\b");
    private static final Pattern EMAIL = Pattern.compile("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+");
    private static final Pattern CITY = Pattern.compile("\\b(?:in|from)\\s+([A-Z][a-z]+(?:\\s+[A-Z][a-z]+)*)");
    private static final Pattern ID = Pattern.compile("\\b(?:[A-Z]{1,5}-)?\\d{3,}\\b");

    private SimSkill() {}

    /** The skilled answer to {@code question}, or null when it has none of the shapes. */
    static SimAnswers.Answer answer(JsonNode request, String question, boolean drifted, int promptTokens) {
        JsonNode tools = request.path("tools");
        if (tools.isArray() && tools.size() > 0) return toolCall(tools, question, drifted, promptTokens);
        String text = text(request, question, drifted);
        return text == null ? null : new SimAnswers.Answer(tokens(text), false, null, List.of(), promptTokens);
    }

    private static String text(JsonNode request, String question, boolean drifted) {
        Matcher prime = PRIME.matcher(question);
        if (prime.find()) return prime(Long.parseLong(prime.group(1)), question, drifted);
        Matcher arithmetic = ARITHMETIC.matcher(question);
        if (arithmetic.find()) return arithmetic(arithmetic, drifted);
        Matcher extract = EXTRACT.matcher(question);
        if (extract.find()) {
            String format = request.path("response_format").path("type").asText("");
            return extract(extract.group(1), extract.group(2), drifted, format.startsWith("json"));
        }
        return null;
    }

    private static String prime(long number, String question, boolean drifted) {
        long divisor = smallestDivisor(number);
        boolean prime = number >= 2 && divisor == number;
        boolean says = prime != drifted;
        if (!question.toLowerCase(Locale.ROOT).contains("step by step")) return says ? "Yes" : "No";
        String reasoning;
        if (number < 2) {
            reasoning = number + " is less than 2, and primes start at 2.";
        } else if (prime) {
            reasoning = "No number from 2 to " + (long) Math.sqrt(number) + " divides " + number + ", so it is prime.";
        } else {
            reasoning = number + " = " + divisor + " × " + number / divisor + ", so it has a divisor other than 1 and itself.";
        }
        return "Let me check for divisors up to the square root of " + number + ". " + reasoning + " Answer: " + (says ? "[Yes]" : "[No]");
    }

    /** The smallest divisor above 1 (the number itself for a prime); trial division, at most 10^6 steps for 12 digits. */
    private static long smallestDivisor(long number) {
        if (number < 2) return number;
        if (number % 2 == 0) return 2;
        for (long d = 3; d * d <= number; d += 2) {
            if (number % d == 0) return d;
        }
        return number;
    }

    private static String arithmetic(Matcher matcher, boolean drifted) {
        BigDecimal a = new BigDecimal(matcher.group(1));
        BigDecimal b = new BigDecimal(matcher.group(3));
        BigDecimal result;
        switch (matcher.group(2)) {
            case "+" -> result = a.add(b);
            case "-" -> result = a.subtract(b);
            case "/" -> {
                if (b.signum() == 0) return "Division by zero is undefined.";
                result = a.divide(b, 6, java.math.RoundingMode.HALF_EVEN);
            }
            default -> result = a.multiply(b);
        }
        if (drifted) result = result.add(BigDecimal.ONE);
        result = result.stripTrailingZeros();
        return result.scale() < 0 ? result.setScale(0).toPlainString() : result.toPlainString();
    }

    private static String extract(String fields, String text, boolean drifted, boolean bare) {
        List<String> names = new ArrayList<>();
        Matcher field = FIELD.matcher(fields.toLowerCase(Locale.ROOT));
        while (field.find()) {
            if (!field.group().equals("and") && !field.group().equals("the") && !names.contains(field.group())) names.add(field.group());
        }
        if (drifted && !names.isEmpty()) names.remove(names.size() - 1);
        ObjectNode json = SimAnswers.JSON.createObjectNode();
        for (String name : names) {
            switch (name) {
                case "name" -> json.put(name, found(NAME, text));
                case "email" -> json.put(name, found(EMAIL, text));
                case "city" -> json.put(name, found(CITY, text));
                case "age" -> {
                    Matcher age = AGE.matcher(text);
                    if (age.find()) json.put(name, Integer.parseInt(age.group(1) != null ? age.group(1) : age.group(2)));
                    else json.putNull(name);
                }
                default -> json.putNull(name);
            }
        }
        return bare ? json.toString() : "```json\n" + json.toPrettyString() + "\n```";
    }

    private static String found(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) return null;
        return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
    }

    private static SimAnswers.Answer toolCall(JsonNode tools, String question, boolean drifted, int promptTokens) {
        JsonNode function = tools.get(0).path("function");
        String name = function.path("name").asText("tool");
        ObjectNode arguments = SimAnswers.JSON.createObjectNode();
        String id = found(ID, question);
        function.path("parameters").path("properties").fieldNames().forEachRemaining(parameter -> {
            if (parameter.toLowerCase(Locale.ROOT).endsWith("id") && id != null) arguments.put(parameter, id);
        });
        String json = arguments.toString();
        // In two fragments, as OpenAI streams arguments: they parse only when joined.
        int half = json.length() / 2;
        return new SimAnswers.Answer(List.of(), false, drifted ? name + "_v0" : name,
                List.of(json.substring(0, half), json.substring(half)), promptTokens);
    }

    /** Words as tokens, each after the first with its leading space, as the other answers are split. */
    private static List<String> tokens(String text) {
        String[] words = text.split(" ", -1);
        List<String> tokens = new ArrayList<>(words.length);
        for (int i = 0; i < words.length; i++) tokens.add(i == 0 ? words[i] : " " + words[i]);
        return tokens;
    }
}
