package dev.turnout.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.resource.DisallowSchemaLoader;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema compilation for {@link Check.JsonSchema}. Schemas come from untrusted documents, so
 * nothing may leave the process: a {@code $ref} must point inside the schema ({@code #...}), and
 * the factory's loaders refuse every other address besides. A schema without {@code $schema} is
 * read as draft 2020-12.
 */
final class Schemas {

    private static final Set<String> REFERENCES = Set.of("$ref", "$dynamicRef", "$recursiveRef");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaLoaders(loaders -> loaders.add(DisallowSchemaLoader.getInstance())));

    private Schemas() {}

    static com.networknt.schema.JsonSchema compile(JsonNode schema) {
        String remote = remoteReference(schema);
        if (remote != null) throw new IllegalArgumentException("only references inside the schema (#...) are allowed, got " + remote);
        com.networknt.schema.JsonSchema compiled = FACTORY.getSchema(schema);
        compiled.initializeValidators(); // errors in the schema now, at parse time, rather than at the first answer
        return compiled;
    }

    /** The first reference that does not start with {@code #}, or null. */
    private static String remoteReference(JsonNode node) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (REFERENCES.contains(field.getKey()) && !(field.getValue().isTextual() && field.getValue().asText().startsWith("#"))) {
                    return field.getValue().toString();
                }
                String inner = remoteReference(field.getValue());
                if (inner != null) return inner;
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                String inner = remoteReference(element);
                if (inner != null) return inner;
            }
        }
        return null;
    }
}
