using System.Reflection;
using System.Runtime.InteropServices;

namespace Dsl.Backend.DirectML.Interop;

/// <summary>The three native components the backend loads.</summary>
internal enum NativeComponent
{
    /// <summary>d3d12.dll / libd3d12.so: D3D12CreateDevice.</summary>
    D3D12,

    /// <summary>dxcore.dll / libdxcore.so: DXCoreCreateAdapterFactory (adapter enumeration).</summary>
    DXCore,

    /// <summary>DirectML.dll / libdirectml.so: DMLCreateDevice1.</summary>
    DirectML,
}

/// <summary>
/// The loaded native libraries and their entry points. Loaded with <see cref="NativeLibrary"/>
/// rather than <c>[DllImport]</c> so that a missing library is a value to report, not a
/// <see cref="DllNotFoundException"/> at the first call, and so that WSL's fixed folder and
/// an explicit <see cref="DirectMLPathVariable"/> can be searched as well.
/// </summary>
internal sealed unsafe class NativeLibraries
{
    /// <summary>Environment variable naming a DirectML library file to load before any other.</summary>
    public const string DirectMLPathVariable = "DSL_DIRECTML_LIBRARY";

    private NativeLibraries()
    {
    }

    /// <summary>HRESULT D3D12CreateDevice(IUnknown* adapter, D3D_FEATURE_LEVEL, REFIID, void**).</summary>
    public delegate* unmanaged<void*, D3D_FEATURE_LEVEL, Guid*, void**, int> D3D12CreateDevice { get; private init; }

    /// <summary>HRESULT DMLCreateDevice1(ID3D12Device*, DML_CREATE_DEVICE_FLAGS, DML_FEATURE_LEVEL minimum, REFIID, void**).</summary>
    public delegate* unmanaged<void*, DML_CREATE_DEVICE_FLAGS, DML_FEATURE_LEVEL, Guid*, void**, int> DMLCreateDevice1 { get; private init; }

    /// <summary>HRESULT DXCoreCreateAdapterFactory(REFIID, void**); null where DXCore is absent (Windows before 10 2004).</summary>
    public delegate* unmanaged<Guid*, void**, int> DXCoreCreateAdapterFactory { get; private init; }

    /// <summary>The file each component was loaded from (the name as searched when the loader resolved it).</summary>
    public IReadOnlyDictionary<NativeComponent, string> LoadedFrom { get; private init; } = new Dictionary<NativeComponent, string>();

    /// <summary>
    /// Loads everything, or reports the first component that is missing (D3D12 first, since
    /// without it DirectML is moot) together with the candidates that were tried.
    /// DXCore is optional on Windows only, where the default adapter can be used instead.
    /// </summary>
    public static bool TryLoad(HostPlatform platform, out NativeLibraries? libraries, out NativeComponent missing, out IReadOnlyList<string> tried)
    {
        libraries = null;
        var loadedFrom = new Dictionary<NativeComponent, string>();
        nint d3d12 = 0, dxcore = 0, directml = 0;
        foreach (var component in new[] { NativeComponent.D3D12, NativeComponent.DXCore, NativeComponent.DirectML })
        {
            var candidates = Candidates(component, platform);
            var handle = TryLoadAny(candidates, out var from);
            if (handle == 0 && !(component == NativeComponent.DXCore && platform == HostPlatform.Windows))
            {
                missing = component;
                tried = candidates;
                return false;
            }
            if (handle != 0)
                loadedFrom[component] = from!;
            switch (component)
            {
                case NativeComponent.D3D12: d3d12 = handle; break;
                case NativeComponent.DXCore: dxcore = handle; break;
                default: directml = handle; break;
            }
        }

        // DMLCreateDevice1 appeared with DirectML 1.1 (feature level 2_0): a library without it is
        // older than anything the backend can use, which counts as missing.
        if (!NativeLibrary.TryGetExport(directml, "DMLCreateDevice1", out var createDml))
        {
            missing = NativeComponent.DirectML;
            tried = [$"{loadedFrom[NativeComponent.DirectML]} (found, but it has no DMLCreateDevice1: DirectML older than 1.1)"];
            return false;
        }
        if (!NativeLibrary.TryGetExport(d3d12, "D3D12CreateDevice", out var createD3D12))
        {
            missing = NativeComponent.D3D12;
            tried = [$"{loadedFrom[NativeComponent.D3D12]} (found, but it has no D3D12CreateDevice)"];
            return false;
        }
        nint createFactory = 0;
        if (dxcore != 0)
            NativeLibrary.TryGetExport(dxcore, "DXCoreCreateAdapterFactory", out createFactory);

        libraries = new NativeLibraries
        {
            D3D12CreateDevice = (delegate* unmanaged<void*, D3D_FEATURE_LEVEL, Guid*, void**, int>)createD3D12,
            DMLCreateDevice1 = (delegate* unmanaged<void*, DML_CREATE_DEVICE_FLAGS, DML_FEATURE_LEVEL, Guid*, void**, int>)createDml,
            DXCoreCreateAdapterFactory = (delegate* unmanaged<Guid*, void**, int>)createFactory,
            LoadedFrom = loadedFrom,
        };
        missing = default;
        tried = [];
        return true;
    }

    /// <summary>
    /// File names and paths tried for a component, in order. Bare names go through the
    /// platform loader's search (PATH / System32 on Windows, LD_LIBRARY_PATH and ld.so.cache on
    /// Linux) and the application folder; WSL's mapped driver folder is tried by full path
    /// because it is not always in the loader's search.
    /// </summary>
    public static IReadOnlyList<string> Candidates(NativeComponent component, HostPlatform platform)
    {
        var list = new List<string>();
        if (component == NativeComponent.DirectML && Environment.GetEnvironmentVariable(DirectMLPathVariable) is { Length: > 0 } explicitPath)
            list.Add(explicitPath);

        if (platform == HostPlatform.Windows)
        {
            list.Add(component switch
            {
                NativeComponent.D3D12 => "d3d12.dll",
                NativeComponent.DXCore => "dxcore.dll",
                _ => "DirectML.dll",
            });
            return list;
        }

        var file = component switch
        {
            NativeComponent.D3D12 => "libd3d12.so",
            NativeComponent.DXCore => "libdxcore.so",
            _ => "libdirectml.so",
        };
        list.Add(file);
        list.Add(Path.Combine(HostPlatformDetection.WslLibraryFolder, file));
        return list;
    }

    private static nint TryLoadAny(IReadOnlyList<string> candidates, out string? loadedFrom)
    {
        foreach (var candidate in candidates)
        {
            nint handle;
            if (Path.IsPathRooted(candidate))
            {
                // A full path that does not exist is skipped without asking the loader.
                if (!File.Exists(candidate) || !NativeLibrary.TryLoad(candidate, out handle))
                    continue;
            }
            else if (!NativeLibrary.TryLoad(candidate, Assembly.GetExecutingAssembly(), null, out handle))
            {
                continue;
            }
            loadedFrom = candidate;
            return handle;
        }
        loadedFrom = null;
        return 0;
    }
}
