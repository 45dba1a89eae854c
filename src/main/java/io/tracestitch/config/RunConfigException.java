package io.tracestitch.config;

/**
 * {@code run}'s configuration is refused: the message is one line naming the key (or the file)
 * and where its value came from. It never holds the value of a {@code kafka.properties.*} key.
 */
public final class RunConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public RunConfigException(String message) {
        super(message);
    }
}
