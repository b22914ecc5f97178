package dev.minnow.cli;

import dev.minnow.compress.recipe.JsonText;

/**
 * JSON for command results (maps, lists, arrays, numbers, strings, booleans, null): one writer,
 * compress's {@link JsonText}, so report.json, state.json and every `--json` line agree.
 */
final class Json {
    private Json() {
    }

    static String write(Object v) {
        return JsonText.write(v);
    }
}
