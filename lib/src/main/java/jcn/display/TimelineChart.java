package jcn.display;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Draws task spans as a Gantt-style SVG chart: one row per lane (thread, worker or process),
 * one bar per task, a time axis in milliseconds.
 *
 * <p>Hand-written because the chart libraries at hand have no Gantt chart; it is the picture
 * that shows at a glance whether tasks overlapped or queued behind each other.
 */
public final class TimelineChart {

    /**
     * One bar.
     *
     * @param lane  the row it goes on
     * @param label the text on the bar
     * @param start from the chart's origin
     * @param end   from the chart's origin, not before {@code start}
     */
    public record Bar(String lane, String label, Duration start, Duration end) {

        /** Checks the bar's fields; a bar that ends before it starts is refused. */
        public Bar {
            Objects.requireNonNull(lane, "lane");
            Objects.requireNonNull(label, "label");
            if (end.compareTo(start) < 0) {
                throw new IllegalArgumentException("bar '" + label + "' ends at " + end + " before it starts at " + start);
            }
        }
    }

    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final int WIDTH = 760;
    private static final int LEFT = 130;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int ROW = 26;
    private static final int BOTTOM = 40;

    private TimelineChart() {
    }

    /** Renders {@code bars} under {@code title}; lanes appear in the order of their first bar. */
    public static SvgImage render(String title, List<Bar> bars) {
        Objects.requireNonNull(bars, "bars");
        Map<String, Integer> lanes = new LinkedHashMap<>();
        for (Bar b : bars) {
            lanes.putIfAbsent(b.lane(), lanes.size());
        }
        double endMs = bars.stream().mapToDouble(b -> b.end().toNanos() / 1e6).max().orElse(1);
        double axisMs = niceCeiling(Math.max(endMs, 1e-3));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int height = TOP + Math.max(1, lanes.size()) * ROW + BOTTOM;

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"").append(WIDTH / 2).append("\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">")
                .append(TableView.escape(title)).append("</text>\n");

        // Grid and axis first, so bars draw over them.
        double step = axisMs / 5;
        int axisY = TOP + lanes.size() * ROW;
        for (int i = 0; i <= 5; i++) {
            double x = LEFT + plotWidth * (i * step) / axisMs;
            svg.append(String.format(java.util.Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, TOP, x, axisY));
            svg.append(String.format(java.util.Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">%s</text>\n", x, axisY + 16, tick(i * step)));
        }
        svg.append("<text x=\"").append(LEFT + plotWidth / 2).append("\" y=\"").append(axisY + 34)
                .append("\" text-anchor=\"middle\" fill=\"#444\">time since start (ms)</text>\n");

        for (Map.Entry<String, Integer> lane : lanes.entrySet()) {
            int y = TOP + lane.getValue() * ROW;
            svg.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + ROW / 2 + 4)
                    .append("\" text-anchor=\"end\">").append(TableView.escape(shorten(lane.getKey(), 18))).append("</text>\n");
        }
        int colour = 0;
        for (Bar b : bars) {
            int y = TOP + lanes.get(b.lane()) * ROW + 3;
            double x = LEFT + plotWidth * (b.start().toNanos() / 1e6) / axisMs;
            double w = Math.max(1.5, plotWidth * (b.end().minus(b.start()).toNanos() / 1e6) / axisMs);
            String fill = COLOURS[colour++ % COLOURS.length];
            svg.append(String.format(java.util.Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\" stroke=\"white\"><title>%s</title></rect>\n",
                    x, y, w, ROW - 6, fill, TableView.escape(b.label() + " on " + b.lane() + ": "
                            + tick(b.start().toNanos() / 1e6) + "–" + tick(b.end().toNanos() / 1e6) + " ms")));
            if (w > 7.0 * b.label().length()) {
                svg.append(String.format(java.util.Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"white\" font-size=\"11\">%s</text>\n",
                        x + w / 2, y + ROW / 2 + 1, TableView.escape(b.label())));
            }
        }
        svg.append("</svg>\n");
        return new SvgImage(svg.toString());
    }

    static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double ms) {
        return ms >= 100 || ms == Math.rint(ms) ? String.valueOf(Math.round(ms)) : String.format(java.util.Locale.ROOT, "%.2g", ms);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** Convenience for building bar lists in tests and notebooks. */
    public static List<Bar> bars() {
        return new ArrayList<>();
    }
}
