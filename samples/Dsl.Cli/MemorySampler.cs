using System.Diagnostics;
using System.Globalization;

namespace Dsl.Cli;

/// <summary>
/// For soak runs (bench/soak.sh): with DSL_MEMORY_LOG=FILE set, appends the process's resident memory, managed heap and
/// live TorchSharp tensors to FILE once per DSL_MEMORY_LOG_SECONDS (default 60), sampled on the training thread
/// (TorchSharp counts tensors per thread) after a full garbage collection, so that garbage not yet collected (batches
/// on the large-object heap, tensors waiting for finalizers) does not read as growth.
/// </summary>
sealed class MemorySampler(string path, TimeSpan every)
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    TimeSpan next = TimeSpan.Zero;

    /// <summary>The sampler DSL_MEMORY_LOG asks for, or null.</summary>
    public static MemorySampler? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("DSL_MEMORY_LOG") is not { Length: > 0 } path) return null;
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("DSL_MEMORY_LOG_SECONDS"), CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 60;
        if (!File.Exists(path)) File.WriteAllText(path, "seconds,step,rss_mb,managed_mb,live_tensors\n");
        return new MemorySampler(path, TimeSpan.FromSeconds(seconds));
    }

    /// <summary>Appends a sample when one is due.</summary>
    public void Sample(long step)
    {
        if (clock.Elapsed < next) return;
        next = clock.Elapsed + every;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        var stats = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics;
        long live = stats.ThreadTotalLiveCount + stats.CreatedOutsideScopeCount - stats.DisposedOutsideScopeCount;
        File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"{clock.Elapsed.TotalSeconds:F0},{step},{self.WorkingSet64 / 1048576.0:F1},{GC.GetTotalMemory(false) / 1048576.0:F1},{live}\n"));
    }
}
