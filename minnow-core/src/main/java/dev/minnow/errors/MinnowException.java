package dev.minnow.errors;

/**
 * Base of every error Minnow raises on purpose. The message is written for a user:
 * it names the cause and, where there is one, what to do about it. The CLI prints
 * the message (no stack trace) and exits with code 2 for these.
 */
public class MinnowException extends RuntimeException {
    public MinnowException(String message) {
        super(message);
    }

    public MinnowException(String message, Throwable cause) {
        super(message, cause);
    }
}
