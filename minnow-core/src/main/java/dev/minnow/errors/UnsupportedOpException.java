package dev.minnow.errors;

/** A graph uses an op (or an attribute value of an op) that Minnow does not implement. */
public class UnsupportedOpException extends MinnowException {
    public UnsupportedOpException(String message) {
        super(message);
    }
}
