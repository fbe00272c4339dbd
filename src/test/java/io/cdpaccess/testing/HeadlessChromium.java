package io.cdpaccess.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Opens a report page in the system's headless Chromium ({@code /usr/bin/chromium}, installed by
 * {@code .ci/run}), as a compliance officer's browser would, and takes a full-page screenshot under
 * {@code target/} for a person to look at. What the page asked for beyond its own file, what it
 * logged as errors and what it shows come back for the test to check.
 */
public final class HeadlessChromium {

    /** Debian's Chromium; Playwright's own download is switched off. */
    public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

    /** What the browser showed. */
    public record Rendered(
            String title,
            String text,
            List<String> outsideRequests,
            List<String> consoleErrors,
            int svgCount,
            int tableCount,
            double pageHeight) {}

    private HeadlessChromium() {}

    /** Renders {@code html} and saves the screenshot to {@code screenshot} (its folder is created). */
    public static Rendered render(Path html, Path screenshot) throws Exception {
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        try (Playwright playwright = Playwright.create(
                        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright
                        .chromium()
                        .launch(new BrowserType.LaunchOptions()
                                .setExecutablePath(EXECUTABLE)
                                .setHeadless(true))) {
            Page page = browser.newPage();
            String own = html.toAbsolutePath().toUri().toString();
            List<String> outside = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            page.onRequest(request -> {
                if (!request.url().equals(own)) {
                    outside.add(request.url());
                }
            });
            page.onConsoleMessage(message -> {
                if (message.type().equals("error")) {
                    errors.add(message.text());
                }
            });
            page.navigate(own);
            page.screenshot(new Page.ScreenshotOptions().setPath(screenshot).setFullPage(true));
            return new Rendered(
                    page.title(),
                    page.innerText("body"),
                    List.copyOf(outside),
                    List.copyOf(errors),
                    page.locator("svg").count(),
                    page.locator("table").count(),
                    ((Number) page.evaluate("document.documentElement.scrollHeight")).doubleValue());
        }
    }
}
