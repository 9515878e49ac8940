package jcn.display;

import java.util.Objects;

/**
 * An SVG picture that shows inline when it is a cell's last expression.
 *
 * <p>SVG keeps charts sharp at any zoom, needs no fonts on the kernel's machine to be exact,
 * and is embedded as text in the saved notebook, so it survives HTML export with no network.
 *
 * @param svg the complete {@code <svg>} document
 */
public record SvgImage(String svg) {

    /** Checks that {@code svg} looks like an SVG document. */
    public SvgImage {
        Objects.requireNonNull(svg, "svg");
        if (!svg.stripLeading().startsWith("<svg")) {
            throw new IllegalArgumentException("not an SVG document: it must start with <svg");
        }
    }

    @Override
    public String toString() {
        return "SvgImage[" + svg.length() + " chars]";
    }
}
