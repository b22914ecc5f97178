package dev.minnow.onnx;

import dev.minnow.errors.MinnowException;

/**
 * An op failed in an unexpected way (not a shape or input error it reports itself) while a
 * graph ran. This is a bug in Minnow, not in the model: the message names the node so it can be
 * reported. Kept apart so conformance and fuzz runs can tell op bugs from model errors.
 */
public class OpFailedException extends MinnowException {
    public OpFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Where a crash happened: the first two stack frames in Minnow's own code, for bug reports. */
    static String origin(Throwable e) {
        StringBuilder b = new StringBuilder();
        int frames = 0;
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.minnow.") && frames < 2) {
                b.append(frames++ == 0 ? " at " : " < ").append(f.getClassName().substring("dev.minnow.".length()))
                        .append('.').append(f.getMethodName()).append(':').append(f.getLineNumber());
            }
        }
        return b.toString();
    }
}
