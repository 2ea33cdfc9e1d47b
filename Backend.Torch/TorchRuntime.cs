using System.Runtime.InteropServices;
using TorchSharp;

namespace Dsl.Backend.Torch;

/// <summary>One-time process set-up for TorchSharp: allocator tuning and a clear load error.</summary>
public static partial class TorchRuntime
{
    static readonly object Gate = new();
    static bool ready;

    /// <summary>
    /// Loads libtorch (throwing an explanatory error when it cannot) and, on Linux, raises glibc's
    /// mmap/trim thresholds so large tensor blocks are reused instead of returned to the OS every
    /// step (measured: ~40% of CPU time in the kernel otherwise).
    /// </summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (ready) return;
            if (OperatingSystem.IsLinux()) TuneGlibcMalloc();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "TorchSharp could not load libtorch. If the inner error mentions GLIBCXX_3.4.32, the build-time " +
                    "patch of libLibTorchSharp.so did not run on this output folder: build or publish the app with " +
                    "'dotnet build'/'dotnet publish' (the Dsl.Backend.Torch package's buildTransitive targets mark that " +
                    "version weak in the app's own copy; in this repository build/TorchSharpGlibcFix.targets does) " +
                    "instead of copying files from another machine. Inner error: " + e.Message, e);
            }
            ready = true;
        }
    }

    static void TuneGlibcMalloc()
    {
        const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
        try
        {
            mallopt(M_MMAP_THRESHOLD, 1 << 30);
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
        }
        catch (EntryPointNotFoundException) { } // not glibc (musl): nothing to tune
        catch (DllNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
