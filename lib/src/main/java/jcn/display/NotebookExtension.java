package jcn.display;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

import java.util.Base64;

/**
 * Teaches the JJava kernel how to show this jar's values inline.
 *
 * <p>The kernel finds this class through {@code META-INF/services} when the notebook's
 * first cell adds the jar with {@code %classpath}; from then on a cell whose last
 * expression is a Tablesaw {@link Table} shows as an HTML table, with plain text as
 * the fallback for viewers that cannot show HTML; an {@link SvgImage} (timelines) shows as
 * SVG and an XChart chart (see {@link Charts}) as an embedded PNG.
 */
public final class NotebookExtension implements Extension {

    /** Creates the extension; the kernel calls this through the service loader. */
    public NotebookExtension() {
    }

    @Override
    public void install(BaseKernel kernel) {
        registerRenderers(kernel.getRenderer());
    }

    /** Adds this jar's render functions to {@code renderer}; split out so tests can use a bare renderer. */
    static void registerRenderers(Renderer renderer) {
        renderer
                .createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, context) -> {
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> TableView.html(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> TableView.text(table));
                });
        renderer
                .createRegistration(SvgImage.class)
                .preferring(MIMEType.IMAGE_SVG)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((image, context) -> {
                    context.renderIfRequested(MIMEType.IMAGE_SVG, image::svg);
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, image::toString);
                });
        renderer
                .createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((chart, context) -> {
                    context.renderIfRequested(MIMEType.IMAGE_PNG,
                            () -> Base64.getEncoder().encodeToString(Charts.png((Chart<?, ?>) chart)));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> "chart: " + chart.getTitle());
                });
    }
}
