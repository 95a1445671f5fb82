package dev.turnout.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through its own chromedriver (named explicitly, so Selenium Manager never
 * looks for one on the network). Where the two packages are missing the browser tests are skipped, as the README
 * says; {@code .ci/run} installs them and sets {@code TURNOUT_REQUIRE_BROWSER=1}, which turns that skip into a failure.
 */
final class Browser {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TURNOUT_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("TURNOUT_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private Browser() {}

    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    static boolean required() {
        return "1".equals(System.getenv("TURNOUT_REQUIRE_BROWSER"));
    }

    /** Where CI requires the browser a missing one fails the test; elsewhere it skips it, saying why. */
    static void assumeInstalled() {
        if (installed()) return;
        if (required()) Assertions.fail(missing() + ", and TURNOUT_REQUIRE_BROWSER=1");
        Assumptions.abort(missing());
    }

    static String missing() {
        return "headless Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install chromium chromium-driver";
    }

    static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--disable-extensions", "--no-first-run", "--disable-background-networking");
        // The page's own console, so a test can fail on a script error or a blocked (CSP) load.
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /**
     * What the page logged as errors since the last call: uncaught exceptions and content-security-policy
     * violations. An API answer the page handles (a 401 at sign-in, a 409 it shows) is logged by Chromium as
     * "Failed to load resource", which is not the page's fault and is left out.
     */
    static java.util.List<String> pageErrors(ChromeDriver driver) {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage)
                .filter(message -> !message.contains("Failed to load resource"))
                .toList();
    }

    static void screenshot(ChromeDriver driver, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
