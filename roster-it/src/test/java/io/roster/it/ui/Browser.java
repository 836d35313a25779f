package io.roster.it.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through the system chromedriver (no browser download): a
 * 1280x800 viewport, the browser console collected so that a test fails on any error in it, and
 * screenshots written to {@code target/ui-screenshots/} (and to {@code docs/ui/} with
 * {@code -Dui.screenshots.update=true}).
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    private final List<String> consoleErrors = new ArrayList<>();

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts a browser, or skips the test (an assumption) when Chromium or chromedriver is missing. */
    static Browser start() {
        Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--lang=en-US", "--font-render-hinting=none");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Browser b = new Browser(d);
        b.viewport(1280, 800, 1);
        return b;
    }

    /** The CSS viewport; a scale of 2 on 640x400 is what 200% zoom of a 1280x800 window shows. */
    void viewport(int width, int height, double scale) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", scale, "mobile", false));
    }

    /** Loads {@code url} as a new document (a hash change alone would keep the old page). */
    void open(String url) {
        driver.get("about:blank");
        driver.get(url);
    }

    /** Waits for an element that matches {@code css} and is displayed. */
    WebElement find(String css) {
        return await(() -> {
            for (WebElement e : driver.findElements(By.cssSelector(css))) {
                if (e.isDisplayed()) {
                    return e;
                }
            }
            return null;
        }, "an element " + css);
    }

    <T> T await(Supplier<T> probe, String what) {
        return await(probe, what, WAIT);
    }

    <T> T await(Supplier<T> probe, String what, Duration within) {
        Object[] out = new Object[1];
        try {
            Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                out[0] = probe.get();
                return out[0] != null && !Boolean.FALSE.equals(out[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String page;
            try {
                page = driver.getCurrentUrl() + "\n" + driver.findElement(By.tagName("main")).getText()
                        + "\nconsole: " + driver.manage().logs().get(LogType.BROWSER).getAll()
                        + "\nfields: " + js("return Array.from(document.querySelectorAll('input,textarea')).map(e => e.id + '=' + e.value).join(' | ')")
                        + "\nrequests: " + js("return performance.getEntriesByType('resource').slice(-12).map(e => e.name.replace(location.origin, '') + ' ' + Math.round(e.duration) + 'ms').join(' | ')")
                        + "\nsubmits: " + js("return window.__submits");
            } catch (RuntimeException r) {
                page = String.valueOf(r);
            }
            throw new AssertionError("waited " + within.toSeconds() + "s for " + what + "; the page:\n" + page, e);
        }
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    String text(String css) {
        return find(css).getText();
    }

    /** Saves a PNG of the viewport as {@code name}.png. */
    void screenshot(String name) throws Exception {
        js("document.activeElement && document.activeElement.blur && document.activeElement.blur()");
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Path dir = Path.of("target/ui-screenshots");
        Files.createDirectories(dir);
        Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        if (Boolean.getBoolean("ui.screenshots.update")) {
            Path docs = Path.of("../docs/ui");
            Files.createDirectories(docs);
            Files.copy(shot, docs.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The console's errors since the last call. Chromium reports every non-2xx fetch as a console
     * error; the 404s the UI asks for on purpose (an empty KV folder, a key with no history, the ACL
     * endpoints of an agent without them, and their 401 when ACLs are off) are the only ones let
     * through, and only for those paths.
     */
    List<String> consoleErrors() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() < Level.WARNING.intValue()) {
                continue;
            }
            String m = e.getMessage();
            boolean expected404 = m.contains("404 (Not Found)") && (m.contains("/v1/kv/") || m.contains("/v1/acl/"))
                    // An agent with ACLs off answers /v1/acl/* with 401 "ACL support disabled", as Consul does.
                    || m.contains("401 (Unauthorized)") && m.contains("/v1/acl/");
            boolean allowed = allowedConsole.stream().anyMatch(rule -> rule.stream().allMatch(m::contains));
            if (!expected404 && !allowed) {
                consoleErrors.add(m);
            }
        }
        List<String> out = List.copyOf(consoleErrors);
        consoleErrors.clear();
        return out;
    }

    /**
     * Lets console errors through that contain every one of {@code parts} (a refusal a test causes on
     * purpose, such as a 403 for a write its token may not make). Keeps until the browser closes.
     */
    void allowConsole(String... parts) {
        allowedConsole.add(List.of(parts));
    }

    private final List<List<String>> allowedConsole = new ArrayList<>();

    void assertNoConsoleErrors() {
        assertThat(consoleErrors()).as("browser console errors").isEmpty();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
