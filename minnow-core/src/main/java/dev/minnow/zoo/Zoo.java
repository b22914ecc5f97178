package dev.minnow.zoo;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Ready-made networks, built with freshly initialized (seeded) weights. Every model's
 * single input is "input" (NCHW float32, batch -1) and its single output "logits".
 * docs/ZOO.md lists them with their sizes and sources.
 */
public final class Zoo {
    /**
     * Metadata key of a zoo model's recommended SGD learning rate, which `minnow train` uses
     * when no --lr is given (a model without it trains with the general default).
     */
    public static final String RECIPE_LR = "minnow.recipe.lr";

    private static final Map<String, LongFunction<Graph>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet-300-100", LeNet::lenet300100);
        MODELS.put("lenet5", LeNet::lenet5);
        MODELS.put("vgg-small", Vgg::vggSmall);
        MODELS.put("resnet20", seed -> ResNet.cifar("resnet20", 3, seed));
        MODELS.put("resnet56", seed -> ResNet.cifar("resnet56", 9, seed));
        MODELS.put("mobilenetv2-cifar", MobileNetV2::cifar);
        MODELS.put("mobilenetv2", MobileNetV2::imagenet);
        MODELS.put("squeezenet1.1", SqueezeNet::squeezenet11);
        MODELS.put("alexnet", AlexNet::alexnet);
        MODELS.put("vgg16", Vgg::vgg16);
        MODELS.put("googlenet", GoogLeNet::googlenet);
        MODELS.put("resnet18", ResNet::resnet18);
        MODELS.put("resnet50", ResNet::resnet50);
    }

    private Zoo() {
    }

    /** The model names, small (MNIST, CIFAR) before large (ImageNet). */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** Builds the named model with weights drawn from {@code seed}; an unknown name lists the known ones. */
    public static Graph build(String name, long seed) {
        LongFunction<Graph> f = MODELS.get(name);
        if (f == null) {
            throw new InvalidInputException("unknown zoo model '" + name + "'. Zoo models: " + String.join(", ", names()));
        }
        Graph g = f.apply(seed);
        g.metadata().put("minnow.zoo_model", name);
        return g;
    }
}
