using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Runtime;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A D3D12 + DirectML device implemented in C# for tests: the product's runtime reaches it only
/// through native COM pointers, exactly as it reaches d3d12 and DirectML. Dispose after the
/// backends made from it.
/// </summary>
internal sealed unsafe class ReferenceDevice : IDisposable
{
    /// <summary>The adapter name the backend reports ("directml:reference").</summary>
    public const string AdapterName = "reference";

    /// <summary>Creates the device objects; the DirectML device reports <paramref name="featureLevel"/>.</summary>
    public ReferenceDevice(DML_FEATURE_LEVEL featureLevel = ReferenceDmlDevice.DefaultFeatureLevel)
    {
        D3D12 = new ReferenceD3D12Device(Gpu);
        Dml = new ReferenceDmlDevice(D3D12, Gpu, featureLevel);
    }

    /// <summary>Errors, removal, operators and memory of this device.</summary>
    public ReferenceGpu Gpu { get; } = new();

    /// <summary>The D3D12 device object.</summary>
    public ReferenceD3D12Device D3D12 { get; }

    /// <summary>The DirectML device object.</summary>
    public ReferenceDmlDevice Dml { get; }

    /// <summary>
    /// A backend on this device. The runtime gets native pointers (COM callable wrappers) and
    /// wraps them as it wraps those of d3d12 and DirectML: every call crosses the COM boundary.
    /// </summary>
    public DirectMLBackend CreateBackend()
    {
        var d3d12 = ComInterop.Take<ID3D12Device>(ReferenceGpu.Pointer<ID3D12Device>(D3D12));
        var dml = ComInterop.Take<IDMLDevice1>(ReferenceGpu.Pointer<IDMLDevice1>(Dml));
        return new DirectMLBackend(new DmlDevice(d3d12, dml, AdapterName));
    }

    /// <summary>
    /// Runs test code and, if it throws, rethrows with the device's error messages attached
    /// (HRESULTs carry none across the COM boundary).
    /// </summary>
    public T Explain<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Gpu.Errors.Count > 0)
        {
            throw new InvalidOperationException($"{e.Message} Reference device errors: {string.Join(" | ", Gpu.Errors)}", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Gpu.Dispose();
}
