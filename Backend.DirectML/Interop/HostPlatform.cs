namespace Dsl.Backend.DirectML.Interop;

/// <summary>Where DirectX 12 can come from on the current machine.</summary>
internal enum HostPlatform
{
    /// <summary>d3d12.dll and an inbox DirectML.dll ship with Windows 10 1903 and later.</summary>
    Windows,

    /// <summary>WSL 2: the Windows GPU driver exposes /dev/dxg and maps libd3d12.so into /usr/lib/wsl/lib.</summary>
    Wsl,

    /// <summary>Plain Linux: there is no DirectX 12 driver at all.</summary>
    Linux,

    /// <summary>macOS and anything else: no DirectX 12.</summary>
    Other,
}

/// <summary>Detects the <see cref="HostPlatform"/>.</summary>
internal static class HostPlatformDetection
{
    /// <summary>The folder WSL 2 maps the Windows driver's Linux libraries into.</summary>
    public const string WslLibraryFolder = "/usr/lib/wsl/lib";

    /// <summary>The paravirtualised GPU device of WSL 2.</summary>
    public const string WslGpuDevice = "/dev/dxg";

    /// <summary>Classifies this process's host (file-system checks only; no library is loaded).</summary>
    public static HostPlatform Current()
    {
        if (OperatingSystem.IsWindows())
            return HostPlatform.Windows;
        if (!OperatingSystem.IsLinux())
            return HostPlatform.Other;
        return File.Exists(WslGpuDevice) || Directory.Exists(WslLibraryFolder) ? HostPlatform.Wsl : HostPlatform.Linux;
    }
}
