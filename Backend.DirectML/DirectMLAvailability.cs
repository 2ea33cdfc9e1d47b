using System.Runtime.InteropServices;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML;

/// <summary>
/// Finds out, quickly and without side effects, whether the DirectML backend can run here.
/// </summary>
/// <remarks>
/// The probe stops at the first missing piece, in the order a user has to fix them:
/// platform → libd3d12 → libdxcore (WSL) → libdirectml → a hardware compute adapter → a D3D12
/// device → a DirectML device → its feature level. On a machine with no DirectX 12 at all it
/// only checks a few files, so it answers in milliseconds.
/// </remarks>
public static unsafe class DirectMLAvailability
{
    /// <summary>
    /// The lowest DirectML feature level the backend accepts: 3_0, the first with the training
    /// operators it uses (RANDOM_GENERATOR, ADAM_OPTIMIZER, the *_GRAD ops) and above 2_1, which
    /// graph compilation (IDMLDevice1::CompileGraph) needs. DirectML 1.4 (redistributable) or
    /// Windows 11 inbox (1.6, FL 4_0) provide it; Windows 10's inbox DirectML (FL 1_0/2_0) does not.
    /// </summary>
    public static Version MinimumFeatureLevel { get; } = DmlFeatureLevels.ToVersion(MinimumLevel);

    internal const DML_FEATURE_LEVEL MinimumLevel = DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_0;

    /// <summary>Probes this machine: the device the backend would use, or what is missing.</summary>
    public static DirectMLProbeResult Probe() => Probe(HostPlatformDetection.Current());

    internal static DirectMLProbeResult Probe(HostPlatform platform)
    {
        if (platform == HostPlatform.Other)
            return DirectMLProbeResult.Unavailable(UnavailabilityMessages.UnsupportedOs());
        if (!NativeLibraries.TryLoad(platform, out var libraries, out var missing, out var tried))
            return DirectMLProbeResult.Unavailable(UnavailabilityMessages.MissingLibrary(missing, platform, tried));
        return ProbeDevice(libraries!);
    }

    private static DirectMLProbeResult ProbeDevice(NativeLibraries libraries)
    {
        var adapter = DXCoreAdapterPicker.PickHardwareComputeAdapter(libraries);
        if (adapter is null && libraries.DXCoreCreateAdapterFactory is not null)
            return DirectMLProbeResult.Unavailable(UnavailabilityMessages.NoAdapter());

        // Without DXCore (Windows before 10 2004) D3D12 picks the default adapter itself.
        var adapterName = adapter is null ? "the default adapter" : DXCoreAdapterPicker.Description(adapter);
        var memory = adapter is null ? 0 : DXCoreAdapterPicker.DedicatedMemory(adapter);
        var library = libraries.LoadedFrom[NativeComponent.DirectML];
        ID3D12Device? d3d12 = null;
        IDMLDevice? dml = null;
        try
        {
            d3d12 = CreateD3D12Device(libraries, adapter);
            dml = CreateDmlDevice(libraries, d3d12);
            var level = DmlFeatureLevels.QueryMax(dml);
            if (level < MinimumLevel)
                return DirectMLProbeResult.Unavailable(UnavailabilityMessages.FeatureLevelTooLow(adapterName, level, MinimumLevel, library));
            return DirectMLProbeResult.Available(new DirectMLDeviceInfo(adapterName, DmlFeatureLevels.ToVersion(level), memory, library));
        }
        catch (Exception error) when (error is COMException or InvalidOperationException)
        {
            return DirectMLProbeResult.Unavailable(UnavailabilityMessages.DeviceCreationFailed(adapterName, error));
        }
        finally
        {
            ComInterop.FinalRelease(dml);
            ComInterop.FinalRelease(d3d12);
            ComInterop.FinalRelease(adapter);
        }
    }

    internal static ID3D12Device CreateD3D12Device(NativeLibraries libraries, IDXCoreAdapter? adapter)
    {
        var iid = typeof(ID3D12Device).GUID;
        var adapterPointer = adapter is null ? null : ComInterop.AddRefPointer(adapter);
        try
        {
            // 11_0 covers every GPU; 1_0_CORE is the level compute-only adapters (MCDM) offer.
            void* device;
            var hresult = libraries.D3D12CreateDevice(adapterPointer, D3D_FEATURE_LEVEL.D3D_FEATURE_LEVEL_11_0, &iid, &device);
            if (hresult < 0)
                hresult = libraries.D3D12CreateDevice(adapterPointer, D3D_FEATURE_LEVEL.D3D_FEATURE_LEVEL_1_0_CORE, &iid, &device);
            ComInterop.ThrowIfFailed(hresult, "D3D12CreateDevice");
            return ComInterop.Take<ID3D12Device>(device);
        }
        finally
        {
            ComInterop.Release(adapterPointer);
        }
    }

    internal static IDMLDevice CreateDmlDevice(NativeLibraries libraries, ID3D12Device d3d12)
    {
        var iid = typeof(IDMLDevice).GUID;
        var d3d12Pointer = ComInterop.AddRefPointer(d3d12);
        try
        {
            // Ask for the lowest level so creation succeeds and the query below can say what is there.
            void* device;
            ComInterop.ThrowIfFailed(
                libraries.DMLCreateDevice1(d3d12Pointer, DML_CREATE_DEVICE_FLAGS.DML_CREATE_DEVICE_FLAG_NONE, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_1_0, &iid, &device),
                "DMLCreateDevice1");
            return ComInterop.Take<IDMLDevice>(device);
        }
        finally
        {
            ComInterop.Release(d3d12Pointer);
        }
    }
}
