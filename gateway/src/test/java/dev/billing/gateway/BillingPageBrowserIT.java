package dev.billing.gateway;

import static dev.billing.gateway.BillingStack.JSON;
import static dev.billing.gateway.BillingStack.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The billing page in a real headless Chromium (Debian's chromium and chromium-driver, driven by
 * Selenium), against the real billing job, broker and PostgreSQL: a customer opens the page with
 * their key, sees the balance fall while the gateway serves their requests, sees the blocked
 * state as soon as the gateway answers 402, buys credits on the page, sees the purchase pending
 * until the payment succeeds (the test is the payments service), and the block clear. The
 * screenshots stay in target/ (billing-page.png, billing-page-blocked.png, billing-page-pending.png).
 */
class BillingPageBrowserIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ACCOUNT = "acct-page";
    /** deepseek-v3 at $0.25 per million tokens: 1,000 prompt and 39,000 completion tokens, $0.01. */
    private static final String REQUEST = "{\"model\":\"deepseek-v3\",\"max_tokens\":39000,\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"" + "x".repeat(4_000) + "\"}]}";
    private static final BigDecimal RATE = new BigDecimal("0.25");
    private static final BigDecimal FREE_CREDITS = new BigDecimal("5.00");
    /** $1.20 a step: the $5.00 of free credits go in four steps and part of a fifth. */
    private static final int REQUESTS_PER_STEP = 120;

    @Test
    void theBalanceFallsLiveTheBlockShowsAtOnceAndAPurchaseOnThePageClearsIt() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("this test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
                .isTrue();
        try (BillingStack stack = new BillingStack("it_billing_page")) {
            ChromeDriver browser = chromium();
            try {
                run(stack, browser);
            } finally {
                screenshot(browser, "billing-page-last.png");
                browser.quit();
            }
        }
    }

    private void run(BillingStack stack, ChromeDriver browser) throws Exception {
        AtomicLong spentMicros = new AtomicLong(); // in millionths of a dollar, computed from each answer's usage
        assertThat(served(stack.chat(ACCOUNT, REQUEST), spentMicros)).as("the first request opens the account").isTrue();

        browser.get(stack.gateway.billingPageUri().toString());
        browser.findElement(By.id("key")).sendKeys(stack.key(ACCOUNT));
        browser.findElement(By.id("use-key")).click();
        Await.until("the page shows the account ACTIVE with a balance", TIMEOUT,
                () -> "ACTIVE".equals(status(browser)) && balance(browser) != null);
        assertThat(browser.findElement(By.id("account")).getText()).isEqualTo(ACCOUNT);

        // spend the rest of the free credits through the gateway in steps; after each step the page
        // shows that step's balance to the last digit (steps, not a race between the traffic and the
        // page's polling: a fast machine spends $5 within one poll)
        AtomicInteger served = new AtomicInteger(1);
        long firstRefusalNanos = 0;
        List<BigDecimal> seen = new ArrayList<>();
        while (firstRefusalNanos == 0) {
            for (int i = 0; i < REQUESTS_PER_STEP && firstRefusalNanos == 0; i++) {
                HttpResponse<String> r = stack.chat(ACCOUNT, REQUEST);
                if (r.statusCode() == 402) {
                    firstRefusalNanos = System.nanoTime();
                } else {
                    assertThat(served(r, spentMicros)).as(r.body()).isTrue();
                    served.incrementAndGet();
                }
            }
            if (firstRefusalNanos == 0) {
                BigDecimal expected = FREE_CREDITS.subtract(BigDecimal.valueOf(spentMicros.get(), 6));
                Await.until("the page shows $" + plain(expected) + " after " + served + " requests", TIMEOUT,
                        () -> balance(browser) != null && expected.compareTo(balance(browser)) == 0);
                seen.add(expected);
            }
        }
        Await.until("the page shows the account BLOCKED", TIMEOUT, () -> "BLOCKED".equals(status(browser)));
        long blockedShownNanos = System.nanoTime();
        System.out.printf("PAGE: balances shown while %d requests were served: %s%n", served.get(), seen);
        System.out.printf("PAGE: BLOCKED shown %.0f ms after the gateway's first 402%n",
                (blockedShownNanos - firstRefusalNanos) / 1e6);
        assertThat(browser.findElement(By.id("status")).getText()).contains("402 Payment Required").contains("Add credits");
        screenshot(browser, "billing-page-blocked.png");

        // buy credits on the page: pending until the payment succeeds, then the block clears
        WebElement amount = browser.findElement(By.id("credit-amount"));
        amount.clear();
        amount.sendKeys("10.00");
        browser.findElement(By.id("buy-credits")).click();
        Await.until("the page shows the purchase pending", TIMEOUT,
                () -> browser.findElement(By.id("credits-msg")).getText().contains("pending")
                        && "pending".equals(purchase(browser).get(1)));
        assertThat(purchase(browser).get(2)).contains("$10.00 purchase: pending");
        assertThat(status(browser)).as("nothing is credited before the payment").isEqualTo("BLOCKED");
        screenshot(browser, "billing-page-pending.png");
        // the test as the payments service: the charge succeeds
        String requestId = purchase(browser).get(0);
        long paidNanos = System.nanoTime();
        stack.payments.paymentSucceeded(stack.paymentRequest(ACCOUNT, requestId), TIMEOUT);
        Await.until("the page shows the account ACTIVE again", TIMEOUT, () -> "ACTIVE".equals(status(browser)));
        System.out.printf("PAGE: ACTIVE again %.0f ms after the payment succeeded%n", (System.nanoTime() - paidNanos) / 1e6);
        Await.until("the page shows the purchase credited", TIMEOUT,
                () -> "credited".equals(purchase(browser).get(1))
                        && browser.findElement(By.id("credits-msg")).getText().contains("Added $10.00"));
        assertThat(served(stack.chat(ACCOUNT, REQUEST), spentMicros)).as("served again").isTrue();

        // the page's figures, exactly: $5.00 free + $10.00 bought - what the served requests cost
        BigDecimal spend = BigDecimal.valueOf(spentMicros.get(), 6);
        BigDecimal expected = FREE_CREDITS.add(new BigDecimal("10.00")).subtract(spend);
        // the balance is as fresh as the status topic; credits and spend as the last flushed row
        Await.until("the page's balance is $15.00 less every request served", TIMEOUT,
                () -> expected.compareTo(balance(browser) == null ? BigDecimal.ZERO : balance(browser)) == 0
                        && browser.findElement(By.id("credits")).getText().equals("$15.00")
                        && browser.findElement(By.id("spend")).getText().equals("$" + plain(spend)));
        assertThat(browser.findElement(By.id("free-credits")).getText()).isEqualTo("$0.00");
        assertThat(browser.findElement(By.id("spend")).getText()).isEqualTo("$" + plain(spend));
        // the limits form: the month's spend shows against the new hard limit
        browser.findElement(By.id("limit-amount")).sendKeys("100.00");
        browser.findElement(By.id("threshold-amounts")).sendKeys("80.00, 50.00");
        browser.findElement(By.id("save-limits")).click();
        Await.until("the page shows the hard limit and the thresholds", TIMEOUT,
                () -> browser.findElement(By.id("month-limit")).getText().contains("of a $100.00 monthly hard limit")
                        && browser.findElement(By.id("thresholds")).getText().equals("$50.00, $80.00"));
        assertThat(browser.findElement(By.id("limits-msg")).getText()).contains("hard limit $100.00");

        // self-contained: everything the page loaded came from the gateway
        Object loaded = browser.executeScript("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat([document.location.href]);");
        String origin = "http://127.0.0.1:" + stack.gateway.port() + "/";
        assertThat((List<?>) loaded).isNotEmpty().allSatisfy(url -> assertThat(url.toString()).startsWith(origin));

        Await.until("the usage chart's bar for today totals the spend", TIMEOUT,
                () -> ((List<?>) browser.executeScript( // one read: the chart is redrawn every few seconds
                        "return Array.from(document.querySelectorAll('#usage-chart text'), t => t.textContent);"))
                        .contains("$" + plain(spend)));
        assertThat(browser.findElement(By.id("usage-legend")).getText()).contains("deepseek-v3");
        screenshot(browser, "billing-page.png");
        System.out.printf("PAGE: %d requests served, spend $%s, balance $%s%n", served.get() + 1, plain(spend), plain(expected));
    }

    /** True for a 200; adds its cost, from the tokens its usage reports, to {@code spentMicros}. */
    private static boolean served(HttpResponse<String> r, AtomicLong spentMicros) throws Exception {
        if (r.statusCode() != 200) {
            return false;
        }
        long tokens = JSON.readTree(r.body()).get("usage").get("total_tokens").asLong();
        spentMicros.addAndGet(RATE.multiply(BigDecimal.valueOf(tokens)).longValueExact()); // $/1M x tokens = micro-dollars
        return true;
    }

    /** The newest purchase in the page's list: {request id, status, text}; read in one script, the list is redrawn each second. */
    private static List<String> purchase(ChromeDriver browser) {
        Object read = browser.executeScript("const li = document.querySelector('#purchases li');"
                + " return li ? [li.dataset.requestId || '', li.dataset.status || '', li.textContent] : ['', '', ''];");
        return ((List<?>) read).stream().map(Object::toString).toList();
    }

    private static String status(ChromeDriver browser) {
        return browser.findElement(By.id("status")).getDomAttribute("data-status");
    }

    private static BigDecimal balance(ChromeDriver browser) {
        String usd = browser.findElement(By.id("balance")).getDomAttribute("data-usd");
        return usd == null || usd.isEmpty() ? null : new BigDecimal(usd);
    }

    private static String plain(BigDecimal usd) {
        BigDecimal s = usd.stripTrailingZeros();
        return (s.scale() < 2 ? s.setScale(2) : s).toPlainString();
    }

    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root in a container: no sandbox; no GPU; /dev/shm may be tiny
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static void screenshot(ChromeDriver browser, String name) throws Exception {
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }
}
