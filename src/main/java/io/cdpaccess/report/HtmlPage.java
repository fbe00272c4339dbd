package io.cdpaccess.report;

import io.cdpaccess.protocol.UnsafeText;
import java.util.ArrayList;
import java.util.List;

/**
 * One self-contained, printable HTML page for a report: a title, a summary of label/value pairs at
 * the top, then sections of paragraphs, tables and inline SVG charts.
 *
 * <p>A compliance office prints these, signs them and files them, and opens them years later on
 * machines without network access; so the page carries its own styles, loads nothing (its content
 * security policy forbids every outside resource and every script), and prints on A4 or Letter with
 * table headers repeated on each page. Every text is escaped; text from outside that would read
 * differently from what it holds (bidirectional overrides, zero-width or control characters, see
 * {@link UnsafeText}) is shown in its quoted, escaped form, as in the log and in CSV.
 */
public final class HtmlPage {

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:2em auto;max-width:60em;padding:0 1em}
            h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}
            .generated{color:#555;margin:0 0 1em}
            dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em;border:1px solid #ccc;padding:.8em 1em;margin:0 0 1em}
            dl.summary dt{font-weight:600}dl.summary dd{margin:0;overflow-wrap:anywhere}
            table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.93em}
            th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}
            th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
            p.empty{color:#555;font-style:italic}
            svg{max-width:100%;height:auto}
            @media print{body{margin:0;max-width:none;font-size:11px}thead{display:table-header-group}tr{break-inside:avoid}h2{break-after:avoid}}
            """;

    private final String title;
    private final String generated;
    private final List<Item> summary = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    /**
     * @param title the report's name, also the document's title
     * @param generated a line under the title saying when and from what the report was made
     */
    public HtmlPage(String title, String generated) {
        this.title = title;
        this.generated = generated;
    }

    /** A label and its value in the summary box at the top. */
    public HtmlPage summary(String label, Object value) {
        summary.add(new Item(label, String.valueOf(value)));
        return this;
    }

    /** A section heading. */
    public HtmlPage heading(String text) {
        body.append("<h2>").append(text(text)).append("</h2>\n");
        return this;
    }

    /** A paragraph of text. */
    public HtmlPage paragraph(String text) {
        body.append("<p>").append(text(text)).append("</p>\n");
        return this;
    }

    /**
     * A table; numbers are right-aligned. With no rows, {@code whenEmpty} is shown instead, so an
     * empty section says so rather than showing a bare header.
     */
    public HtmlPage table(List<String> headers, List<? extends List<?>> rows, String whenEmpty) {
        if (rows.isEmpty()) {
            body.append("<p class=\"empty\">").append(text(whenEmpty)).append("</p>\n");
            return this;
        }
        body.append("<table>\n<thead><tr>");
        for (String header : headers) {
            body.append("<th>").append(text(header)).append("</th>");
        }
        body.append("</tr></thead>\n<tbody>\n");
        for (List<?> row : rows) {
            body.append("<tr>");
            for (Object cell : row) {
                if (cell instanceof Number) {
                    body.append("<td class=\"num\">").append(cell).append("</td>");
                } else {
                    body.append("<td>")
                            .append(cell == null ? "" : text(cell.toString()))
                            .append("</td>");
                }
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    /** A chart made by {@link BarChart}, whose texts are escaped there. */
    public HtmlPage chart(BarChart chart) {
        body.append(chart.svg()).append('\n');
        return this;
    }

    /** The whole document. */
    public String render() {
        StringBuilder out = new StringBuilder(body.length() + 4096);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>")
                .append(text(title))
                .append("</title>\n<style>\n")
                .append(STYLE)
                .append("</style>\n</head>\n<body>\n<h1>")
                .append(text(title))
                .append("</h1>\n<p class=\"generated\">")
                .append(text(generated))
                .append("</p>\n");
        if (!summary.isEmpty()) {
            out.append("<dl class=\"summary\">\n");
            for (Item item : summary) {
                out.append("<dt>")
                        .append(text(item.label()))
                        .append("</dt><dd>")
                        .append(text(item.value()))
                        .append("</dd>\n");
            }
            out.append("</dl>\n");
        }
        return out.append(body).append("</body>\n</html>\n").toString();
    }

    private record Item(String label, String value) {}

    /** Text for HTML content or a quoted attribute: unsafe text in its escaped form, then HTML-escaped. */
    static String text(String s) {
        String shown = UnsafeText.hasUnsafe(s) ? UnsafeText.quote(s) : s;
        StringBuilder out = new StringBuilder(shown.length() + 16);
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
