package io.quiver.engine;

import java.util.List;

/** A value is out of its allowed range (HTTP 422): "Validation error in JSON body: [field: reason, ...]". Immutable. */
public final class ValidationException extends QuiverException {
    private static final long serialVersionUID = 1L;

    public ValidationException(List<String> problems) {
        super("Validation error in JSON body: [" + String.join(", ", problems) + "]");
    }
}
