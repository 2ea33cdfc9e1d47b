using System.Diagnostics;

namespace Dsl.Tests.DirectML;

/// <summary>Runs the command-line tools the layout test needs, failing with their output.</summary>
internal static class ExternalTools
{
    /// <summary>The full path of a tool on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>The tool's path, or an exception that says what to install.</summary>
    public static string Require(string tool, string why) =>
        Find(tool) ?? throw new InvalidOperationException($"'{tool}' is not on PATH; the DirectX layout test needs it to {why}. Install it (Debian/Ubuntu: {PackageOf(tool)}).");

    /// <summary>Runs a tool to completion and returns its standard output; throws with both streams on a non-zero exit.</summary>
    public static string Run(string tool, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:F0} s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}.\n--- stdout ---\n{stdout.Result}\n--- stderr ---\n{stderr.Result}");
        }
        return stdout.Result;
    }

    private static string PackageOf(string tool) => tool switch
    {
        "gcc" => "apt-get install gcc",
        "g++" => "apt-get install g++",
        "apt-get" or "dpkg" => "these come with every Debian-based system",
        _ => $"the package that provides {tool}",
    };
}
