using Dsl.Execution;
using TorchSharp;

namespace Dsl.Backend.Torch;

/// <summary>
/// Runs graphs as flat TorchSharp execution plans on CPU, or on CUDA where libtorch-cuda is present.
/// TorchSharp autograd never decides what is differentiated: the backward pass is part of the graph
/// (a kernel may call one libtorch backward through it, as relu_grad does).
/// </summary>
public sealed class TorchBackend : IBackend
{
    /// <summary>Creates a backend on a device: "cpu", "cuda" or "cuda:N".</summary>
    public TorchBackend(string device = "cpu")
    {
        TorchRuntime.EnsureInitialized();
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
            throw new InvalidOperationException(
                $"Device '{device}' was requested but CUDA is not available: this build references the CPU libtorch " +
                "(TorchSharp-cpu) or no NVIDIA driver/GPU is visible. Use --device cpu, or reference a libtorch-cuda " +
                "package (e.g. TorchSharp-cuda-linux) on a machine with an NVIDIA GPU and driver.");
        Device = torch.device(device);
    }

    /// <summary>The TorchSharp device.</summary>
    public torch.Device Device { get; }

    /// <inheritdoc/>
    public string Name => "torch:" + Device;

    /// <summary>When false, graphs are compiled as given (for tests of the passes themselves).</summary>
    public bool Optimize { get; init; } = true;

    /// <summary>
    /// When true (the default), gradients of fused ops (convolution, layer and batch norm, softmax,
    /// log-softmax, GELU) run libtorch's native backward kernels through autograd on that one op;
    /// false runs every gradient op's own kernel (for tests).
    /// </summary>
    public bool NativeBackward { get; init; } = true;

    /// <summary>
    /// When true (the default), float32 convolutions on the CPU run on channels-last (NHWC-strided) tensors,
    /// which oneDNN reads without reordering, and the activations between them stay in that layout: a layout
    /// choice the compiled plan makes for the whole network, invisible in shapes and results (up to rounding).
    /// False keeps libtorch's default NCHW layout.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <inheritdoc/>
    public ICompiledGraph Compile(Graph graph) =>
        new TorchCompiledGraph(Optimize ? Passes.Pipeline.Optimize(graph) : graph, Device, NativeBackward, ChannelsLast);
}
