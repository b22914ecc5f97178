package dev.minnow.compress.recipe;

import java.util.List;

/** A named list of compression steps, read from YAML by {@link RecipeReader}. */
public record Recipe(String name, String description, List<StepSpec> steps, String source) {
    public Recipe {
        steps = List.copyOf(steps);
    }
}
