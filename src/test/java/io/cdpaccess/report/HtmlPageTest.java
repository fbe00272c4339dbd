package io.cdpaccess.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.testing.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlPageTest {

    @TempDir
    Path dir;

    @Test
    void textFromOutsideCannotAddMarkupAndBidiOverridesShowEscaped() {
        String html = new HtmlPage("Access review <2026>", "generated 2026-12-03")
                .summary("Grants", 3)
                .heading("Users & grants")
                .table(
                        List.of("user", "grants"),
                        List.of(
                                List.of("<script>alert(1)</script>", 2),
                                List.of("evil\u202Egnp.exe", 1),
                                List.of("o'brien \"quoted\"", 0)),
                        "no grants")
                .render();
        assertThat(html)
                .doesNotContain("<script")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("\u202E")
                .contains("&quot;evil\\u202egnp.exe&quot;")
                .contains("o&#39;brien &quot;quoted&quot;")
                .contains("<title>Access review &lt;2026&gt;</title>")
                .contains("<td class=\"num\">2</td>");
    }

    @Test
    void anEmptyTableSaysSoInsteadOfABareHeader() {
        String html = new HtmlPage("t", "g")
                .table(List.of("user"), List.of(), "no grant expires within 30 days")
                .render();
        assertThat(html).doesNotContain("<table").contains("no grant expires within 30 days");
    }

    @Test
    void formatsAreCsvAndHtmlAndAnythingElseIsNamedInTheError() {
        assertThat(ReportFormat.parse("HTML")).isEqualTo(ReportFormat.HTML);
        assertThat(ReportFormat.parse("csv")).isEqualTo(ReportFormat.CSV);
        assertThatThrownBy(() -> ReportFormat.parse("pdf")).hasMessage("unknown format 'pdf'; use csv or html");
    }

    @Test
    void thePageRendersInChromiumWithItsChartsAndAsksForNothingOutsideItself() throws Exception {
        String html = new HtmlPage("Activity", "generated 2026-12-03 from store version 12")
                .summary("Answers", 1234)
                .summary("Denies", 56)
                .heading("Answers per day")
                .chart(new BarChart(
                        "answers per day",
                        BarChart.Orientation.COLUMNS,
                        List.of(
                                new BarChart.Bar("2026-11-01", 10),
                                new BarChart.Bar("2026-11-02", 0),
                                new BarChart.Bar("2026-11-03", 30))))
                .heading("Denies by reason")
                .chart(new BarChart(
                        "denies by reason",
                        BarChart.Orientation.BARS,
                        List.of(new BarChart.Bar("no-grant", 40), new BarChart.Bar("<blocked>", 16))))
                .chart(new BarChart("nothing yet", BarChart.Orientation.BARS, List.of()))
                .table(List.of("user", "answers"), List.of(List.of("alice", 1234)), "none")
                .render();
        Path file = dir.resolve("page.html");
        Files.writeString(file, html, StandardCharsets.UTF_8);

        HeadlessChromium.Rendered shown =
                HeadlessChromium.render(file, Path.of("target", "screenshots", "html-page.png"));

        assertThat(shown.title()).isEqualTo("Activity");
        assertThat(shown.outsideRequests()).isEmpty();
        assertThat(shown.consoleErrors()).isEmpty();
        assertThat(shown.svgCount()).isEqualTo(2);
        assertThat(shown.tableCount()).isEqualTo(1);
        assertThat(shown.text())
                .contains("Answers\n1234", "Denies by reason", "<blocked>", "nothing to show", "2026-11-01");
        assertThat(Path.of("target", "screenshots", "html-page.png")).isNotEmptyFile();
    }
}
