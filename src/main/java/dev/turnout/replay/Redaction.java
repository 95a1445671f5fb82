package dev.turnout.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.turnout.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is taken out of an exchange before it is stored: pure functions of the text, so each rule
 * is tested alone. Rules, in order:
 * <ol>
 *   <li>the request's top-level JSON fields named in {@code recording.dropFields} are removed;</li>
 *   <li>in every JSON string of the request and of the answer (each {@code data:} event of a
 *       stream; text that is not JSON, such as an answer cut short, as a whole), e-mail addresses
 *       ({@link #EMAIL}) become {@code [redacted-email]}, phone numbers ({@link #PHONE}, 9 to 15
 *       digits) {@code [redacted-phone]}, and each {@code recording.maskPatterns} match {@code [redacted]}.</li>
 * </ol>
 * Operator patterns run first, so one that covers an e-mail address or phone number wins.
 * Only values are masked, never keys: a key is the API's vocabulary, not the user's.
 */
public final class Redaction {

    /** {@code local@domain.tld}: the local part of letters, digits and {@code ._%+-}, a dotted domain. */
    public static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    /**
     * An optional {@code +}, then digits grouped by single spaces, dots, dashes or parentheses,
     * not touching a letter, a digit, {@code -} or {@code _} on either side, with 9 to 15 digits
     * in all (so years, prices and short numbers stay).
     */
    public static final Pattern PHONE = Pattern.compile("(?<![\\w+\\-])\\+?\\(?\\d(?:[ .\\-]?\\(?\\d\\)?){7,19}(?![\\w\\-])");
    static final String EMAIL_MASK = "[redacted-email]";
    static final String PHONE_MASK = "[redacted-phone]";
    static final String PATTERN_MASK = "[redacted]";

    private final List<String> dropFields;
    private final boolean maskEmails;
    private final boolean maskPhones;
    private final List<Pattern> patterns;

    public Redaction(List<String> dropFields, boolean maskEmails, boolean maskPhones, List<String> maskPatterns) {
        this.dropFields = List.copyOf(dropFields);
        this.maskEmails = maskEmails;
        this.maskPhones = maskPhones;
        this.patterns = maskPatterns.stream().map(Pattern::compile).toList();
    }

    public static Redaction of(GatewayConfig.Recording config) {
        return new Redaction(config.dropFields(), config.maskEmails(), config.maskPhones(), config.maskPatterns());
    }

    /** The request without its dropped fields and with every string masked; text that is not JSON is masked as a whole. */
    public String request(String body) {
        JsonNode node = parse(body);
        if (node == null) return mask(body);
        if (node instanceof ObjectNode object) dropFields.forEach(object::remove);
        return maskStrings(node).toString();
    }

    /** The answer with every string masked: a JSON body, each event of a stream, or plain text. */
    public String answer(String body) {
        JsonNode node = parse(body);
        if (node != null) return maskStrings(node).toString();
        if (!body.startsWith("data:") && !body.contains("\ndata:")) return mask(body);
        StringBuilder out = new StringBuilder(body.length());
        for (String line : body.split("\n", -1)) {
            if (out.length() > 0) out.append('\n');
            if (!line.startsWith("data:")) {
                out.append(mask(line));
                continue;
            }
            String payload = line.substring(5).strip();
            JsonNode event = parse(payload);
            out.append("data: ").append(event == null ? mask(payload) : maskStrings(event).toString());
        }
        return out.toString();
    }

    /** Masks one piece of text with every rule that is on. */
    public String mask(String text) {
        String out = text;
        for (Pattern pattern : patterns) out = pattern.matcher(out).replaceAll(PATTERN_MASK);
        if (maskEmails) out = EMAIL.matcher(out).replaceAll(EMAIL_MASK);
        if (maskPhones) out = maskPhones(out);
        return out;
    }

    private static String maskPhones(String text) {
        Matcher matcher = PHONE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            long digits = matcher.group().chars().filter(Character::isDigit).count();
            matcher.appendReplacement(out, digits >= 9 && digits <= 15 ? PHONE_MASK : Matcher.quoteReplacement(matcher.group()));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private JsonNode maskStrings(JsonNode node) {
        if (node.isTextual()) return TextNode.valueOf(mask(node.asText()));
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) fields.add(it.next());
            for (Map.Entry<String, JsonNode> field : fields) object.set(field.getKey(), maskStrings(field.getValue()));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) array.set(i, maskStrings(array.get(i)));
        }
        return node;
    }

    private static JsonNode parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return null;
        try {
            return RecordedExchange.JSON.readTree(trimmed);
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code text} cut to at most {@code maxBytes} of UTF-8, never inside a character. */
    public static String capBytes(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) return text;
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) end--; // back off a continuation byte
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
