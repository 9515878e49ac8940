package jcn.display;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Bar and line charts in one call, drawn by XChart and shown inline as PNG when a chart is a
 * cell's last expression.
 *
 * <p>The methods return XChart's own chart objects, so a notebook can still restyle one
 * ({@code chart.getStyler()...}) before showing it. Rendering needs no network and no display:
 * the kernel runs with {@code java.awt.headless=true}.
 */
public final class Charts {

    /** Width and height of charts made here, in pixels. */
    public static final int WIDTH = 720;
    /** Height of charts made here, in pixels. */
    public static final int HEIGHT = 360;

    private Charts() {
    }

    /**
     * A bar chart with one bar per category, e.g. speed-up per pool size.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    public static CategoryChart bar(String title, String yLabel, List<String> categories, List<? extends Number> values) {
        Map<String, List<? extends Number>> one = new LinkedHashMap<>();
        one.put(yLabel, values);
        CategoryChart chart = bars(title, yLabel, categories, one);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /** A grouped bar chart: one group per category, one bar per series within it. */
    public static CategoryChart bars(String title, String yLabel, List<String> categories,
                                     Map<String, ? extends List<? extends Number>> series) {
        Objects.requireNonNull(categories, "categories");
        Objects.requireNonNull(series, "series");
        if (categories.isEmpty() || series.isEmpty()) {
            throw new IllegalArgumentException("a bar chart needs at least one category and one series");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .yAxisTitle(yLabel).build();
        style(chart.getStyler());
        series.forEach((name, values) -> {
            if (values.size() != categories.size()) {
                throw new IllegalArgumentException("series '" + name + "' has " + values.size() + " values for "
                        + categories.size() + " categories; give one value per category");
            }
            chart.addSeries(name, categories, values);
        });
        return chart;
    }

    /** A line chart of one or more series over shared x values, e.g. time per thread count. */
    public static XYChart line(String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(series, "series");
        if (x.length == 0 || series.isEmpty()) {
            throw new IllegalArgumentException("a line chart needs at least one x value and one series");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        style(chart.getStyler());
        series.forEach((name, y) -> {
            if (y.length != x.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + y.length + " points for "
                        + x.length + " x values");
            }
            chart.addSeries(name, Arrays.copyOf(x, x.length), Arrays.copyOf(y, y.length));
        });
        return chart;
    }

    /** The chart as PNG bytes. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the chart as PNG", e);
        }
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(java.awt.Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setChartTitleBoxVisible(false);
        styler.setPlotBorderVisible(false);
    }
}
