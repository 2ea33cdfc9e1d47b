using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML;

/// <summary>
/// The explanations <see cref="DirectMLAvailability.Probe()"/> gives, one per way of failing.
/// Each names the missing piece, where it comes from, and the fallback device.
/// </summary>
internal static class UnavailabilityMessages
{
    private const string Fallback = "Use --device cpu (or cuda where present) instead.";

    public static string UnsupportedOs() =>
        $"DirectML is unavailable: it needs DirectX 12, which exists only on Windows 10/11 and in WSL 2. {Fallback}";

    public static string MissingLibrary(NativeComponent component, HostPlatform platform, IReadOnlyList<string> tried)
    {
        var searched = $"(searched: {string.Join(", ", tried)})";
        return (component, platform) switch
        {
            (NativeComponent.D3D12, HostPlatform.Linux) =>
                $"DirectML is unavailable: libd3d12.so not found {searched}. This Linux system is not WSL 2 (no {HostPlatformDetection.WslGpuDevice}), " +
                $"and Linux outside WSL has no DirectX 12 driver. {Fallback}",
            (NativeComponent.D3D12, HostPlatform.Wsl) =>
                $"DirectML is unavailable: libd3d12.so not found {searched}. WSL 2 maps it into {HostPlatformDetection.WslLibraryFolder} from the Windows GPU driver: " +
                $"install a current WDDM GPU driver on Windows, run 'wsl --update', and make sure the distribution runs as WSL 2 ('wsl -l -v'). {Fallback}",
            (NativeComponent.D3D12, _) =>
                $"DirectML is unavailable: d3d12.dll not found {searched}; DirectX 12 needs Windows 10 or later. {Fallback}",
            (NativeComponent.DXCore, _) =>
                $"DirectML is unavailable: libdxcore.so not found {searched}. It comes with the Windows GPU driver in {HostPlatformDetection.WslLibraryFolder}: " +
                $"update the Windows GPU driver and WSL ('wsl --update'). {Fallback}",
            (NativeComponent.DirectML, HostPlatform.Windows) =>
                $"DirectML is unavailable: DirectML.dll not found {searched}. Windows 10 1903+ has it inbox; otherwise take DirectML.dll from the " +
                $"Microsoft.AI.DirectML NuGet package (bin/x64-win) and put it next to the application, or set {NativeLibraries.DirectMLPathVariable} to its path. {Fallback}",
            _ =>
                $"DirectML is unavailable: libdirectml.so not found {searched}. WSL has no inbox DirectML: take bin/x64-linux/libdirectml.so from the " +
                $"Microsoft.AI.DirectML NuGet package (the DirectML redistributable) and put it next to the application or on LD_LIBRARY_PATH, " +
                $"or set {NativeLibraries.DirectMLPathVariable} to its path. {Fallback}",
        };
    }

    public static string NoAdapter() =>
        "DirectML is unavailable: no hardware adapter with DirectX 12 compute was found (DXCore lists none; software adapters are not used). " +
        $"Check the GPU driver. {Fallback}";

    public static string DeviceCreationFailed(string adapter, Exception error) =>
        $"DirectML is unavailable: creating the device on '{adapter}' failed ({error.Message}). Update the GPU driver; on WSL also run 'wsl --update'. {Fallback}";

    public static string FeatureLevelTooLow(string adapter, DML_FEATURE_LEVEL supported, DML_FEATURE_LEVEL required, string library) =>
        $"DirectML is unavailable: '{adapter}' with {library} supports {DmlFeatureLevels.Name(supported)}, and the backend needs at least " +
        $"{DmlFeatureLevels.Name(required)} (training operators such as RANDOM_GENERATOR and ADAM_OPTIMIZER). The library is too old: install a newer " +
        $"DirectML redistributable (Microsoft.AI.DirectML NuGet package, 1.4 or later; 1.9+ for GELU) and set {NativeLibraries.DirectMLPathVariable} to it, " +
        $"or update the GPU driver if the redistributable is current. {Fallback}";
}
