package io.tracestitch.config;

import java.util.EnumSet;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.TextElement;

/** Renders an option's description as plain text, for {@code --help} and the README's options table. */
final class PlainTextFormatter extends Formatter {

    @Override
    protected void formatLink(StringBuilder state, String link, String description) {
        state.append(description.isEmpty() ? link : description + " (" + link + ")");
    }

    @Override
    protected void formatLineBreak(StringBuilder state) {
        state.append(' ');
    }

    @Override
    protected void formatText(StringBuilder state, String format, String[] elements,
            EnumSet<TextElement.TextStyle> styles) {
        state.append(String.format(format, (Object[]) elements));
    }

    @Override
    protected void formatList(StringBuilder state, String[] entries) {
        state.append(String.join("; ", entries));
    }

    @Override
    protected Formatter newInstance() {
        return new PlainTextFormatter();
    }
}
