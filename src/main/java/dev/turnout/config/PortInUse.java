package dev.turnout.config;

import io.vertx.core.Future;
import java.net.BindException;

/**
 * Names the port when a server cannot bind it. Netty's own failure reads "Address already in use"
 * and says neither which port nor which of the gateway's servers asked for it, so an operator
 * running a second copy, or the demo beside something on 8080, is left guessing.
 */
public final class PortInUse {

    private PortInUse() {}

    /**
     * The listen, whose bind failure becomes a {@link ConfigException} naming {@code what} and the
     * address; other failures pass unchanged.
     */
    public static <T> Future<T> named(Future<T> listen, String what, String host, int port) {
        return listen.recover(failed -> Future.failedFuture(failed instanceof BindException bind
                ? new ConfigException(what + " cannot listen on " + host + ":" + port + ": "
                        + (bind.getMessage() != null && bind.getMessage().contains("in use") ? "the port is already in use"
                        : bind.getMessage()))
                : failed));
    }
}
