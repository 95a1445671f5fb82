package dev.turnout.route;

import static java.util.Objects.requireNonNull;

/**
 * A known caller. {@code alias} (nullable) pins every request of the client to that alias whatever
 * its {@code model} says; {@code keySha256} (nullable) is the lowercase hex SHA-256 of its API key:
 * the key itself is never stored.
 */
public record Client(String id, String alias, String keySha256) {
    public Client {
        requireNonNull(id, "id");
    }
}
