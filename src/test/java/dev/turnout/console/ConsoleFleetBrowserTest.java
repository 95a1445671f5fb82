package dev.turnout.console;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import dev.turnout.testing.RedisFleet;
import dev.turnout.testing.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's diff report across a fleet: two gateways on one redis-server, each shadowing its own share of the
 * traffic; one instance's console shows its own pairs, or, switched to the fleet, every instance's.
 */
class ConsoleFleetBrowserTest {

    private RedisServer redis;
    private final Vertx simVertx = Vertx.vertx();
    private RedisFleet instances;
    private ChromeDriver browser;

    @BeforeEach
    void start() {
        Browser.assumeInstalled();
        redis = RedisServer.startNew();
        SimServer v1 = Fixtures.sim(simVertx, SimOptions.defaults("support-v1").withTokens(12));
        SimServer v2 = Fixtures.sim(simVertx, SimOptions.defaults("support-v2").withTokens(12));
        RouteTable routes = RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 }, shadow: [ { version: support-v2, sample: 1.0 } ] }",
                ""));
        instances = RedisFleet.start(redis, 2, Fixtures.config(false, 1 << 20), routes);
        browser = Browser.start();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            List<String> errors = Browser.pageErrors(browser);
            browser.quit();
            assertThat(errors).as("script errors or blocked loads in the page").isEmpty();
        }
        if (instances != null) instances.close();
        await(simVertx.close());
        if (redis != null) redis.close();
    }

    @Test
    void shouldShowThisInstancesPairsOrTheWholeFleets() throws Exception {
        shadowed(0, 6);
        shadowed(1, 15);
        String admin = instances.admin(0);
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ignored ->
                Http.json(Http.get(admin + "/admin/diffs?scope=fleet")).path("fleet").path("entries").asInt() == 21 ? Boolean.TRUE : null);

        browser.get(admin + "/console/#/diffs");
        assertThat(pairsShown()).isEqualTo("6");
        browser.findElement(By.cssSelector("#diff-scope button.scope-fleet")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ignored -> "21".equals(pairsShown()) ? Boolean.TRUE : null);
        new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .until(driver -> driver.findElement(By.id("diff-scope")).getText().contains("21 pairs read") ? Boolean.TRUE : null);
        Browser.screenshot(browser, "diffs-fleet");

        // The choice holds for the tab: the samples of the fleet's entry are the fleet's too.
        browser.findElement(By.cssSelector("#diff-report a.samples")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> driver.findElements(By.cssSelector("#samples .sample")).size() == 10
                ? Boolean.TRUE : null); // at most 10 shown, of the fleet's 21: this instance has only 6
        assertThat(Http.json(Http.get(admin + "/admin/diffs/samples?scope=fleet&limit=100"))).hasSize(21);
        browser.findElement(By.cssSelector("#diff-scope button.scope-instance")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ignored -> "6".equals(pairsShown()) ? Boolean.TRUE : null);
    }

    /** The Pairs cell of the report's one entry, once drawn (read inside the wait: a re-render replaces it). */
    private String pairsShown() {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class).until(driver -> {
            List<WebElement> found = driver.findElements(By.cssSelector("#diff-report tr.entry td"));
            return found.size() > 3 ? found.get(3).getText() : null;
        });
    }

    private void shadowed(int instance, int requests) {
        for (int i = 0; i < requests; i++) {
            assertThat(Http.send(post(instances.data(instance) + "/v1/chat/completions",
                    "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question " + instance + "-" + i + "\"}]}"))
                    .statusCode()).isEqualTo(200);
        }
    }
}
