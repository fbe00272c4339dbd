package io.cdpaccess.report;

import java.util.List;
import java.util.Locale;

/**
 * A small bar chart as inline SVG, for a report page that must load nothing: answers per day as
 * columns, denies by reason as horizontal bars. Each bar carries a {@code <title>} with its label
 * and value (a tooltip on screen, read aloud by screen readers); the chart as a whole is labelled
 * by its caption. Scaled to the largest value; a chart with no bars says so.
 */
public final class BarChart {

    /** One bar: its label and value. */
    public record Bar(String label, long value) {}

    /** Columns for a series over time; horizontal bars for categories with long labels. */
    public enum Orientation {
        COLUMNS,
        BARS
    }

    private static final int WIDTH = 720;

    private final String caption;
    private final Orientation orientation;
    private final List<Bar> bars;

    public BarChart(String caption, Orientation orientation, List<Bar> bars) {
        this.caption = caption;
        this.orientation = orientation;
        this.bars = List.copyOf(bars);
    }

    /** The {@code <figure>} holding the chart and its caption. */
    String svg() {
        String figcaption = "<figcaption>" + HtmlPage.text(caption) + "</figcaption>";
        if (bars.isEmpty()) {
            return "<figure>" + figcaption + "<p class=\"empty\">nothing to show</p></figure>";
        }
        long max = Math.max(1, bars.stream().mapToLong(Bar::value).max().orElse(1));
        StringBuilder svg = new StringBuilder(256 + bars.size() * 160);
        if (orientation == Orientation.COLUMNS) {
            columns(svg, max);
        } else {
            horizontal(svg, max);
        }
        return "<figure>" + svg + figcaption + "</figure>";
    }

    private void columns(StringBuilder svg, long max) {
        int height = 160;
        int top = 14;
        int bottom = 18;
        double slot = (double) WIDTH / bars.size();
        double barWidth = Math.max(1, slot * 0.8);
        open(svg, height + top + bottom);
        svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"10\" font-size=\"10\">%d</text>", max));
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            double h = (double) bar.value() * height / max;
            double x = i * slot + (slot - barWidth) / 2;
            svg.append(String.format(
                            Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b6ea5\">",
                            x,
                            top + height - h,
                            barWidth,
                            h))
                    .append(tooltip(bar))
                    .append("</rect>");
        }
        // The first and last labels mark the range; every label would not fit under 30 columns.
        svg.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"10\">", top + height + bottom - 4))
                .append(HtmlPage.text(bars.get(0).label()))
                .append("</text>");
        if (bars.size() > 1) {
            svg.append(String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">",
                            WIDTH,
                            top + height + bottom - 4))
                    .append(HtmlPage.text(bars.get(bars.size() - 1).label()))
                    .append("</text>");
        }
        svg.append("</svg>");
    }

    private void horizontal(StringBuilder svg, long max) {
        int row = 20;
        int labelWidth = 220;
        int valueWidth = 70;
        int barSpace = WIDTH - labelWidth - valueWidth;
        open(svg, bars.size() * row);
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = i * row;
            double w = Math.max(1, (double) bar.value() * barSpace / max);
            svg.append(String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">",
                            labelWidth - 6,
                            y + 14))
                    .append(HtmlPage.text(bar.label()))
                    .append("</text>")
                    .append(String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#a53b3b\">",
                            labelWidth,
                            y + 3,
                            w,
                            row - 6))
                    .append(tooltip(bar))
                    .append("</rect>")
                    .append(String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>",
                            labelWidth + w + 4,
                            y + 14,
                            bar.value()));
        }
        svg.append("</svg>");
    }

    private void open(StringBuilder svg, int height) {
        svg.append(String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%d\" "
                                + "viewBox=\"0 0 %d %d\" aria-label=\"",
                        WIDTH,
                        height,
                        WIDTH,
                        height))
                .append(HtmlPage.text(caption))
                .append("\">");
    }

    private static String tooltip(Bar bar) {
        return "<title>" + HtmlPage.text(bar.label()) + ": " + bar.value() + "</title>";
    }
}
