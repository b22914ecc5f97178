package dev.minnow.compress.recipe;

/**
 * One kind of recipe step. Implementations must not change the input state's graph (copy it)
 * so a failed step leaves the last finished model as it was.
 */
@FunctionalInterface
public interface Step {
    StepOutput run(StepSpec spec, ModelState in, StepContext ctx);
}
