package dev.turnout.config;

/** A configuration that cannot start the gateway; the message names each bad key and its source. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
