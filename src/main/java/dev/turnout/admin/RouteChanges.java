package dev.turnout.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.Alias;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The admin API's edits, each a pure function from the current table to the proposed one. Every
 * edit is made on the route document and read back through {@link RouteCodec}, so a partial
 * change is validated exactly like a whole document and its errors name the same fields.
 */
public final class RouteChanges {

    private RouteChanges() {}

    /** Adds or replaces one version. */
    public static RouteTable putVersion(RouteTable current, String id, JsonNode version) {
        ObjectNode document = RouteCodec.toTree(current);
        document.with("versions").set(id, version);
        return RouteCodec.fromTree(document);
    }

    /**
     * Removes a version; fails with {@link InUseException} (409) while an alias still refers to it,
     * naming every use, so the operator learns all the aliases to change at once rather than from
     * a validation error per field.
     */
    public static RouteTable deleteVersion(RouteTable current, String id) {
        if (current.version(id) == null) throw new NotFoundException("no version named '" + id + "'");
        List<String> users = current.aliases().values().stream()
                .filter(alias -> referencedVersions(alias).contains(id)).map(Alias::name).toList();
        if (!users.isEmpty()) throw new InUseException(id, users, uses(current, id));
        ObjectNode document = RouteCodec.toTree(current);
        document.with("versions").remove(id);
        return RouteCodec.fromTree(document);
    }

    /** Removes an alias; a client bound to it still fails validation (422). */
    public static RouteTable deleteAlias(RouteTable current, String name) {
        if (current.alias(name) == null) throw new NotFoundException("no alias named '" + name + "'");
        ObjectNode document = RouteCodec.toTree(current);
        document.with("aliases").remove(name);
        return RouteCodec.fromTree(document);
    }

    /** Every field of every alias that names the version, as document paths (split, pins, shadow, fallback). */
    static List<String> uses(RouteTable table, String id) {
        List<String> uses = new java.util.ArrayList<>();
        for (Alias alias : table.aliases().values()) {
            String at = "aliases." + alias.name();
            if (alias.split().containsKey(id)) uses.add(at + ".split." + id);
            alias.pins().forEach((client, version) -> {
                if (version.equals(id)) uses.add(at + ".pins." + client);
            });
            if (alias.shadows().stream().anyMatch(shadow -> shadow.version().equals(id))) uses.add(at + ".shadow");
            if (id.equals(alias.fallback())) uses.add(at + ".fallback");
        }
        return List.copyOf(uses);
    }

    /** Adds or replaces one alias. */
    public static RouteTable putAlias(RouteTable current, String name, JsonNode alias) {
        ObjectNode document = RouteCodec.toTree(current);
        document.with("aliases").set(name, alias);
        return RouteCodec.fromTree(document);
    }

    /**
     * Applies a JSON merge patch (RFC 7396) to one alias: {@code {"split":{"support-v2":50}}}
     * changes one weight, {@code {"fallback":null}} removes the fallback.
     */
    public static RouteTable patchAlias(RouteTable current, String name, JsonNode patch) {
        if (current.alias(name) == null) throw new NotFoundException("no alias named '" + name + "'");
        if (!patch.isObject()) throw new InvalidRoutesException(List.of("body: a merge patch must be a JSON object"));
        ObjectNode document = RouteCodec.toTree(current);
        ObjectNode aliases = document.with("aliases");
        aliases.set(name, mergePatch(aliases.get(name), patch));
        return RouteCodec.fromTree(document);
    }

    /**
     * The current table with one alias as it was in {@code old}: removed if it did not exist then,
     * and with any version it used then restored if it has since been deleted.
     */
    public static RouteTable restoreAlias(RouteTable current, RouteTable old, String name) {
        ObjectNode document = RouteCodec.toTree(current);
        ObjectNode oldDocument = RouteCodec.toTree(old);
        ObjectNode aliases = document.with("aliases");
        JsonNode oldAlias = oldDocument.path("aliases").get(name);
        if (oldAlias == null) {
            aliases.remove(name);
        } else {
            aliases.set(name, oldAlias);
            Alias alias = old.alias(name);
            ObjectNode versions = document.with("versions");
            for (String version : referencedVersions(alias)) {
                if (!versions.has(version)) versions.set(version, oldDocument.path("versions").get(version));
            }
        }
        return RouteCodec.fromTree(document);
    }

    private static List<String> referencedVersions(Alias alias) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>(alias.split().keySet());
        ids.addAll(alias.pins().values());
        alias.shadows().forEach(shadow -> ids.add(shadow.version()));
        if (alias.fallback() != null) ids.add(alias.fallback());
        return List.copyOf(ids);
    }

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch;
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : RouteCodec.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isNull()) result.remove(field.getKey());
            else result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
        }
        return result;
    }

    /** A version that aliases still use cannot be deleted (409); {@link #uses} names each use. */
    public static final class InUseException extends RuntimeException {
        private final List<String> uses;

        public InUseException(String id, List<String> aliases, List<String> uses) {
            super("version '" + id + "' is still used by alias(es) " + String.join(", ", aliases)
                    + "; change them first (errors names each field)");
            this.uses = List.copyOf(uses);
        }

        public List<String> uses() {
            return uses;
        }
    }

    /** A version or alias the request names does not exist (404). */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }
}
