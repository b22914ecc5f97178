package dev.minnow.errors;

/** A dataset file is missing, corrupt, truncated or inconsistent. */
public class DataException extends MinnowException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
