package jcn.check;

/**
 * Thrown when a notebook's stated claim is contradicted by the run that should back it.
 *
 * <p>It is unchecked so a claim can stand anywhere in a cell without a {@code throws} clause.
 */
public final class ClaimFailedException extends RuntimeException {

    /** Creates the exception with the full sentence a reader sees under the cell. */
    public ClaimFailedException(String message) {
        super(message);
    }
}
