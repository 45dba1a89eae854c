package io.tracestitch.jobs;

import java.io.IOException;

/** An input that does not exist or cannot be read, found before the job starts (exit code 1, not a usage error). */
public final class UnreadableInputException extends IOException {

    public UnreadableInputException(String message) {
        super(message);
    }
}
