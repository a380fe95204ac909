package io.quiver.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;

import java.io.IOException;

/**
 * Writes NaN and ±Infinity floats and doubles as JSON {@code null}, as Qdrant's serde_json does (a score can overflow
 * to infinity, e.g. a Dot product of two vectors near the float32 limit); every other call goes to the wrapped
 * generator. Installed as a generator decorator on the server's {@code JsonFactory}, so every response passes through
 * it. One instance per generator, used by the thread that writes that response; not threadsafe.
 */
final class NonFiniteAsNullGenerator extends JsonGeneratorDelegate {

    NonFiniteAsNullGenerator(JsonGenerator delegate) {
        super(delegate, false);
    }

    @Override
    public void writeNumber(float v) throws IOException {
        if (Float.isFinite(v)) {
            delegate.writeNumber(v);
        } else {
            delegate.writeNull();
        }
    }

    @Override
    public void writeNumber(double v) throws IOException {
        if (Double.isFinite(v)) {
            delegate.writeNumber(v);
        } else {
            delegate.writeNull();
        }
    }
}
