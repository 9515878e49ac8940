package jcn.display;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import tech.tablesaw.api.Table;

/**
 * Teaches the JJava kernel how to show this jar's values inline.
 *
 * <p>The kernel finds this class through {@code META-INF/services} when the notebook's
 * first cell adds the jar with {@code %classpath}; from then on a cell whose last
 * expression is a Tablesaw {@link Table} shows as an HTML table, with plain text as
 * the fallback for viewers that cannot show HTML.
 */
public final class NotebookExtension implements Extension {

    /** Creates the extension; the kernel calls this through the service loader. */
    public NotebookExtension() {
    }

    @Override
    public void install(BaseKernel kernel) {
        kernel.getRenderer()
                .createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, context) -> {
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> TableView.html(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> TableView.text(table));
                });
    }
}
