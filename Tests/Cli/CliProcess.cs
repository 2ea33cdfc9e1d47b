using System.Diagnostics;

namespace Dsl.Tests.Cli;

/// <summary>Runs the built command line (samples/Dsl.Cli, same configuration as the tests) in a child process.</summary>
static class CliProcess
{
    /// <summary>What a run printed and returned.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>The dsl-cli.dll built next to this test assembly's configuration.</summary>
    public static string Dll
    {
        get
        {
            // Tests/bin/<Configuration>/net10.0/ → samples/Dsl.Cli/bin/<Configuration>/net10.0/dsl-cli.dll
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name, configuration = output.Parent!.Name;
            var repository = output.Parent!.Parent!.Parent!.Parent!.FullName;
            string dll = Path.Combine(repository, "samples", "Dsl.Cli", "bin", configuration, framework, "dsl-cli.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build samples/Dsl.Cli ({configuration}) first; the tests project references it so 'dotnet test' does.", dll);
        }
    }

    /// <summary>Runs <c>dotnet dsl-cli.dll ARGS</c> and waits (at most <paramref name="timeoutSeconds"/>).</summary>
    public static Result Run(IEnumerable<string> args, int timeoutSeconds = 120)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dsl-cli {string.Join(' ', args)} ran longer than {timeoutSeconds} s.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("dsl-cli-test-").FullName;
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
