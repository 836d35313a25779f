package io.roster.it.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.testkit.RosterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The services and nodes pages of a dev agent holding 1,000 services on 1,000 nodes (registered
 * through {@code PUT /v1/catalog/register}) in headless Chromium: each list pages through them 50
 * rows at a time and its filter box finds one. How long a page took to show its first rows is
 * printed (a figure, not an assertion: the machine is shared).
 */
class WebUiScaleBrowserTest {
    static final int N = 1000;

    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName("scale-ui").withoutDns();

    static Browser browser;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void registerAndStartBrowser() throws Exception {
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(4);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            String body = """
                    {"Node":"node-%04d","Address":"10.%d.%d.%d","Service":{"ID":"svc-%04d-1","Service":"svc-%04d","Tags":["t%d"],"Port":%d}}"""
                    .formatted(i, i / 65536 % 256, i / 256 % 256, i % 256, i, i, i % 7, 8000 + i);
            HttpRequest r = HttpRequest.newBuilder(URI.create(base() + "/v1/catalog/register"))
                    .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString(body)).build();
            assertThat(inFlight.tryAcquire(60, TimeUnit.SECONDS)).as("a registration slot").isTrue();
            all.add(HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((x, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        System.out.printf("[figure] registered %d nodes with a service each in %d ms (catalog register, 4 at a time; shared, busy machine)%n",
                N, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void noConsoleErrors() {
        browser.assertNoConsoleErrors();
    }

    static String base() {
        return "http://127.0.0.1:" + ROSTER.httpPort();
    }

    /** Opens a list page and waits for its first rows; prints how long that took. */
    List<WebElement> openList(String page, String rowCss) {
        long start = System.nanoTime();
        browser.open(base() + "/ui/#/" + page);
        browser.await(() -> browser.text("main .pager .meta").endsWith(" of " + (N + 1)), page + " listing all");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Object paint = browser.js("return Math.round(performance.now())");
        System.out.printf("[figure] %s page with %d rows: first 50 shown %d ms after navigation (document age %s ms; "
                + "headless Chromium on a shared, busy machine)%n", page, N + 1, ms, paint);
        return rows(rowCss);
    }

    List<WebElement> rows(String css) {
        return browser.driver.findElements(By.cssSelector(css));
    }

    void pagesThroughAndFilters(String page, String rowCss, String attr, String wanted) throws Exception {
        List<WebElement> first = openList(page, rowCss);
        assertThat(first).as("one page of rows").hasSize(50);
        assertThat(browser.text("main .pager .meta")).isEqualTo("1–50 of " + (N + 1));
        browser.screenshot(page + "-1000");
        String firstName = first.get(0).getAttribute(attr);
        WebElement next = browser.find("main .pager button:last-child");
        next.click();
        browser.await(() -> browser.text("main .pager .meta").startsWith("51–100 "), "the second page");
        assertThat(rows(rowCss)).hasSize(50);
        assertThat(rows(rowCss).get(0).getAttribute(attr)).as("other rows").isNotEqualTo(firstName);
        // To the last page: 1001 rows are 21 pages, the last with one row.
        for (int i = 0; i < 25 && next.isEnabled(); i++) {
            next.click();
        }
        browser.await(() -> browser.text("main .pager .meta").equals("1001–1001 of " + (N + 1)), "the last page");
        assertThat(rows(rowCss)).hasSize(1);

        WebElement filter = browser.find("input[type='search']");
        filter.sendKeys(wanted);
        browser.await(() -> rows(rowCss).size() == 1, "the filter finding " + wanted);
        assertThat(rows(rowCss).get(0).getAttribute(attr)).isEqualTo(wanted);
    }

    @Test
    void theServicesPagePagesThroughAThousandAndTheFilterFindsOne() throws Exception {
        pagesThroughAndFilters("services", "tr[data-service]", "data-service", "svc-0777");
        assertThat(browser.text("tr[data-service='svc-0777']")).contains("t0");
    }

    @Test
    void theNodesPagePagesThroughAThousandAndTheFilterFindsOne() throws Exception {
        pagesThroughAndFilters("nodes", "tr[data-node]", "data-node", "node-0777");
        assertThat(browser.text("tr[data-node='node-0777']")).contains("10.0.3.9", "svc-0777");
    }
}
