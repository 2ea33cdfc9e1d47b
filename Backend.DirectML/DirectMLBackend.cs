using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Runtime;
using Dsl.Execution;

namespace Dsl.Backend.DirectML;

/// <summary>
/// Runs graphs on a DirectX 12 GPU through DirectML: each graph is lowered to one DirectML graph
/// (<c>IDMLDevice1::CompileGraph</c>), initialized once and dispatched per run. Float32 and int64
/// tensors move between host and device. Graphs are optimized by the same passes as Backend.Torch.
/// </summary>
public sealed class DirectMLBackend : IBackend, IDisposable
{
    readonly DmlDevice device;

    internal DirectMLBackend(DmlDevice device) => this.device = device;

    /// <summary>
    /// Creates the backend on the first hardware adapter with DirectML (see
    /// <see cref="DirectMLAvailability.Probe()"/> for what is required).
    /// </summary>
    /// <exception cref="DirectMLUnavailableException">DirectML or a suitable device is missing; the message says what to install.</exception>
    public static DirectMLBackend Create()
    {
        var info = DirectMLAvailability.Probe().EnsureAvailable();
        var platform = HostPlatformDetection.Current();
        if (!NativeLibraries.TryLoad(platform, out var libraries, out var missing, out var tried))
            throw new DirectMLUnavailableException(UnavailabilityMessages.MissingLibrary(missing, platform, tried));
        var adapter = DXCoreAdapterPicker.PickHardwareComputeAdapter(libraries!);
        try
        {
            var d3d12 = DirectMLAvailability.CreateD3D12Device(libraries!, adapter);
            var dml = (IDMLDevice1)DirectMLAvailability.CreateDmlDevice(libraries!, d3d12);
            return new DirectMLBackend(new DmlDevice(d3d12, dml, info.AdapterName));
        }
        finally
        {
            ComInterop.FinalRelease(adapter);
        }
    }

    /// <inheritdoc/>
    public string Name => "directml:" + device.AdapterName;

    /// <summary>When false, graphs are compiled as given (for tests of the passes themselves).</summary>
    public bool Optimize { get; init; } = true;

    /// <inheritdoc/>
    public ICompiledGraph Compile(Graph graph) =>
        new DmlCompiledGraph(device, Optimize ? Passes.Pipeline.Optimize(graph) : graph);

    /// <summary>Releases the device; compiled graphs must be disposed first.</summary>
    public void Dispose() => device.Dispose();
}
