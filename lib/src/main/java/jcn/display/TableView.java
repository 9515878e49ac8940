package jcn.display;

import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;
import tech.tablesaw.io.Destination;

import java.io.StringWriter;
import java.util.Objects;

/**
 * Renders a Tablesaw {@link Table} for a notebook page, as HTML and as plain text.
 *
 * <p>Long tables are cut after {@link #maxRows()} rows and end with a visible
 * "N more rows" line, so a result with a million rows cannot flood the page or the
 * saved notebook. The limit is global because a notebook has one page to protect.
 */
public final class TableView {

    /** The row limit used until {@link #setMaxRows(int)} changes it. */
    public static final int DEFAULT_MAX_ROWS = 30;

    private static volatile int maxRows = DEFAULT_MAX_ROWS;

    private TableView() {
    }

    /** Returns how many rows a rendered table shows before it is cut. */
    public static int maxRows() {
        return maxRows;
    }

    /**
     * Sets how many rows a rendered table shows before it is cut.
     *
     * @throws IllegalArgumentException if {@code rows} is less than 1
     */
    public static void setMaxRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + rows
                    + "; use a large number to show every row");
        }
        maxRows = rows;
    }

    /** Renders {@code table} as an HTML fragment, cut after {@link #maxRows()} rows. */
    public static String html(Table table) {
        Objects.requireNonNull(table, "table");
        int limit = maxRows;
        Table shown = table.rowCount() > limit ? table.first(limit) : table;
        StringWriter out = new StringWriter();
        HtmlWriteOptions options = HtmlWriteOptions.builder(new Destination(out)).build();
        new HtmlWriter().write(shown, options);
        StringBuilder html = new StringBuilder("<div class=\"jcn-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<p><b>").append(escape(table.name())).append("</b></p>");
        }
        html.append(out);
        int hidden = table.rowCount() - shown.rowCount();
        if (hidden > 0) {
            html.append("<p><i>").append(moreRows(hidden, table.rowCount())).append("</i></p>");
        }
        return html.append("</div>").toString();
    }

    /** Renders {@code table} as aligned plain text, cut after {@link #maxRows()} rows. */
    public static String text(Table table) {
        Objects.requireNonNull(table, "table");
        int limit = maxRows;
        Table shown = table.rowCount() > limit ? table.first(limit) : table;
        String text = shown.printAll();
        int hidden = table.rowCount() - shown.rowCount();
        return hidden > 0 ? text + "\n" + moreRows(hidden, table.rowCount()) : text;
    }

    private static String moreRows(int hidden, int total) {
        return "… " + hidden + " more row" + (hidden == 1 ? "" : "s") + " (" + total + " in all)";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
