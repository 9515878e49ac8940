package jcn.display;

import jcn.timing.Timeline;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DisplayTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The kernel's own renderer with this jar's registrations, as a notebook gets them. */
    private static Renderer renderer() {
        Renderer renderer = new Renderer();
        NotebookExtension.registerRenderers(renderer);
        return renderer;
    }

    @Test
    void aTableRendersAsHtmlWithAPlainTextFallbackAndACutLine() {
        Table t = Table.create("numbers", IntColumn.indexColumn("i", 100, 0));
        DisplayData data = renderer().render(t);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<table"), html);
        assertTrue(html.contains("70 more rows (100 in all)"), html);
        assertTrue(((String) data.getData(MIMEType.TEXT_PLAIN)).contains("70 more rows"));
    }

    @Test
    void aTimelineChartIsValidSvgWithOneRowPerLane() throws Exception {
        Timeline timeline = Timeline.start();
        long o = timeline.originNanos();
        timeline.add("worker-1", "task 0", o, o + 100_000_000);
        timeline.add("worker-2", "task 1", o + 10_000_000, o + 90_000_000);
        timeline.add("worker-1", "task 2", o + 100_000_000, o + 180_000_000);
        SvgImage svg = timeline.chart("3 tasks");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.svg().getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(3 + 1, doc.getElementsByTagName("rect").getLength(), "a background and one bar per task");
        assertTrue(svg.svg().contains(">worker-2</text>"));
        DisplayData data = renderer().render(svg);
        assertEquals(svg.svg(), data.getData(MIMEType.IMAGE_SVG));
    }

    @Test
    void chartsRenderAsPng() {
        var bar = Charts.bar("speed-up", "x", List.of("1", "2", "4"), List.of(1.0, 1.9, 3.5));
        byte[] png = Charts.png(bar);
        assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(png, 8));
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("Java", new double[] {1, 2, 3});
        var line = Charts.line("scaling", "threads", "ms", new double[] {1, 2, 3}, series);
        DisplayData data = renderer().render(line);
        byte[] decoded = Base64.getDecoder().decode((String) data.getData(MIMEType.IMAGE_PNG));
        assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(decoded, 8));
    }

    @Test
    void badChartInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Charts.bar("t", "y", List.of("a", "b"), List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> Charts.line("t", "x", "y", new double[0], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new SvgImage("<html/>"));
        assertThrows(IllegalArgumentException.class, () -> TableView.setMaxRows(0));
    }

    @Test
    void aProgressBarOutsideAKernelPrintsItsFinalState() {
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try (Progress p = Progress.start("work", 4)) {
            for (int i = 0; i < 4; i++) {
                p.step();
            }
        } finally {
            System.setOut(old);
        }
        assertEquals("work [##############################] 4/4\n", out.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> Progress.start("none", 0));
    }
}
