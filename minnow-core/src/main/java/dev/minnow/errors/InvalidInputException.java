package dev.minnow.errors;

/** A file, argument or hyper-parameter given by the user is wrong (bad file, bad name, bad value). */
public class InvalidInputException extends MinnowException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
