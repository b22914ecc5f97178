package dev.minnow.infer.spi;

/**
 * Chooses kernels for nodes: the one seam through which inference kernels are picked. The
 * executor asks its providers, highest {@link #priority} first, for each node when it is built;
 * the first kernel returned runs that node, and a node no provider claims runs its op's forward.
 * Providers are found with {@link java.util.ServiceLoader} (list the class in
 * META-INF/services/dev.minnow.infer.spi.KernelProvider) or passed in
 * {@link dev.minnow.infer.ExecutionOptions.Builder#provider}. Must have a public no-argument
 * constructor when loaded as a service; must be stateless (kernels hold the state).
 */
public interface KernelProvider {
    /** Built-in providers have priority 0; a higher priority is asked first. */
    default int priority() {
        return 0;
    }

    /**
     * A kernel that runs request's node, or null to let another provider (or the op) run it.
     * When {@link KernelRequest#channelLast()} is true the node reads or writes NHWC values:
     * return null unless the kernel handles those layouts.
     */
    Kernel kernelFor(KernelRequest request);
}
