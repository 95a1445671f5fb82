package dev.turnout.admin;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: a page and its plain ES modules, served from the jar at {@code /console/} on the admin port
 * (no build step, no Node toolchain). The files hold no data, so they are served before authentication: the
 * page asks for a token (kept in the tab's session storage) and sends it as {@code Authorization: Bearer} on
 * every API call, under exactly the API's rules (content types, origin, roles), since it only calls the API.
 * The headers keep the page from being framed or fed foreign scripts: everything it loads and calls is its
 * own origin's.
 */
final class ConsoleRoutes {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private ConsoleRoutes() {}

    static void mount(Router router) {
        // Vert.x matches "/console" for "/console/" too: only the bare path is sent on to the page.
        router.get("/console").handler(context -> {
            if (context.request().path().equals("/console")) context.redirect("/console/");
            else context.next();
        });
        router.route("/console/*").handler(context -> {
            context.response()
                    .putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
                    .putHeader("x-content-type-options", "nosniff")
                    .putHeader("x-frame-options", "DENY")
                    .putHeader("referrer-policy", "no-referrer")
                    // A new jar must never meet an old page's modules: the files are small, so always revalidate.
                    .putHeader("cache-control", "no-cache");
            context.next();
        });
        router.route("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false)
                .setDirectoryListing(false).setIndexPage("index.html"));
    }
}
