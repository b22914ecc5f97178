package dev.minnow.data;

import dev.minnow.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled image dataset held or reachable by index. Samples are CHW float32 images
 * with values in [0,1] (before normalization); labels are class indices in [0, numClasses).
 * Implementations must allow concurrent reads of different indices.
 */
public interface Dataset {
    int size();

    /** Shape of one sample, CHW, for example [1, 28, 28]. */
    Shape sampleShape();

    int numClasses();

    /** Writes sample {@code index} (sampleShape().size() floats, CHW, in [0,1]) into dst at dstOffset. */
    void copySample(int index, float[] dst, int dstOffset);

    int label(int index);

    /** Human-readable class names, index = label; "0", "1", ... when the dataset has none. */
    default List<String> classNames() {
        List<String> names = new ArrayList<>(numClasses());
        for (int i = 0; i < numClasses(); i++) {
            names.add(String.valueOf(i));
        }
        return List.copyOf(names);
    }
}
