package dev.turnout.route;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable revision of the routes: versions, aliases and clients. The data plane reads one
 * snapshot per request and keeps it for the whole request, so a change is never half-applied.
 * Instances are built by {@link RouteCodec} or {@link #of} and checked by {@link RouteValidator}.
 */
public final class RouteTable {

    private final long revision;
    private final Map<String, ModelVersion> versions;
    private final Map<String, Alias> aliases;
    private final Map<String, Client> clients;
    // Derived once per revision so that authenticating a client key is one map lookup.
    private final Map<String, Client> clientsByKeySha256;

    private RouteTable(long revision, Map<String, ModelVersion> versions, Map<String, Alias> aliases,
                       Map<String, Client> clients) {
        this.revision = revision;
        this.versions = Alias.ordered(requireNonNull(versions, "versions"));
        this.aliases = Alias.ordered(requireNonNull(aliases, "aliases"));
        this.clients = Alias.ordered(requireNonNull(clients, "clients"));
        Map<String, Client> byKey = new HashMap<>();
        for (Client client : this.clients.values()) {
            if (client.keySha256() != null) byKey.put(client.keySha256(), client);
        }
        this.clientsByKeySha256 = Map.copyOf(byKey);
    }

    public static RouteTable of(long revision, Map<String, ModelVersion> versions, Map<String, Alias> aliases,
                                Map<String, Client> clients) {
        return new RouteTable(revision, versions, aliases, clients);
    }

    public RouteTable withRevision(long newRevision) {
        return new RouteTable(newRevision, versions, aliases, clients);
    }

    public RouteTable withAliases(Map<String, Alias> newAliases) {
        return new RouteTable(revision, versions, newAliases, clients);
    }

    /** The table with {@code alias} in place of the alias of its name (added last if there is none). */
    public RouteTable withAlias(Alias alias) {
        Map<String, Alias> replaced = new LinkedHashMap<>(aliases);
        replaced.put(alias.name(), alias);
        return withAliases(replaced);
    }

    public long revision() { return revision; }
    public Map<String, ModelVersion> versions() { return versions; }
    public Map<String, Alias> aliases() { return aliases; }
    public Map<String, Client> clients() { return clients; }

    public ModelVersion version(String id) { return versions.get(id); }
    public Alias alias(String name) { return aliases.get(name); }
    public Client client(String id) { return clients.get(id); }
    public Client clientByKeySha256(String hex) { return clientsByKeySha256.get(hex); }

    /** Same routes, whatever the revision: a write that changes nothing is not a new revision. */
    public boolean sameRoutesAs(RouteTable other) {
        return versions.equals(other.versions) && aliases.equals(other.aliases) && clients.equals(other.clients);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteTable && ((RouteTable) o).revision == revision && sameRoutesAs((RouteTable) o);
    }

    @Override
    public int hashCode() {
        return Objects.hash(revision, versions, aliases, clients);
    }

    @Override
    public String toString() {
        return "RouteTable{revision=" + revision + ", versions=" + versions.keySet() + ", aliases=" + aliases.keySet()
                + ", clients=" + clients.size() + "}";
    }
}
