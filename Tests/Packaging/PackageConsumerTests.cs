using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Dsl.Tests.Packaging;

/// <summary>
/// The four packages work for an app that knows the library only through them: `dotnet pack` of
/// the solution yields Dsl, Dsl.Backend.Torch, Dsl.Backend.DirectML and Dsl.Models; a throw-away
/// console app in a temporary folder (a local feed for these, nuget.org for TorchSharp) gets its
/// [Model] classes generated, loads libtorch through the package's build-time GLIBCXX fix, and
/// trains with the Trainer until the loss falls.
/// </summary>
public sealed partial class PackageConsumerTests : IDisposable
{
    static readonly string[] PackageIds = ["Dsl", "Dsl.Backend.Torch", "Dsl.Backend.DirectML", "Dsl.Models"];

    readonly string root = Directory.CreateTempSubdirectory("dsl-consumer").FullName;
    // A version no earlier run used, so the global package cache can never hand back a stale package.
    readonly string version = "0.1.0-test" + DateTime.UtcNow.Ticks;

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var entry = Path.Combine(cache, id.ToLowerInvariant(), version);
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
        }
    }

    static string RepoRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    static string Here([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    static (int Code, string Output) Dotnet(string workingDirectory, string args)
    {
        var psi = new ProcessStartInfo("dotnet", args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's MSBuild settings must not leak into the child builds.
        foreach (var key in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" }) psi.Environment.Remove(key);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(6))) { p.Kill(entireProcessTree: true); return (-1, "timed out\n" + stdout.Result + stderr.Result); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Packed_packages_let_a_fresh_app_define_and_train_a_model()
    {
        var feed = Path.Combine(root, "feed");
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        // The test project already built every packable project in this configuration.
        var pack = Dotnet(RepoRoot(), $"pack Dsl.sln --no-build -c {configuration} -o \"{feed}\" -p:PackageVersion={version}");
        pack.Code.ShouldBe(0, pack.Output);
        foreach (var id in PackageIds)
        {
            File.Exists(Path.Combine(feed, $"{id}.{version}.nupkg")).ShouldBeTrue($"{id} was not packed:\n{pack.Output}");
            File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")).ShouldBeTrue($"{id} has no symbols package");
        }
        Directory.GetFiles(feed, "*.nupkg").Length.ShouldBe(PackageIds.Length, "only the four library projects are packable");

        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Only the backend and the models: Dsl and its generator come with them.
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Dsl.Backend.Torch" Version="{version}" />
                <PackageReference Include="Dsl.Models" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        // Keep the repository's build settings (and its own GLIBCXX fix) out of the throw-away project.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />");
        File.Copy(Path.Combine(Here(), "ConsumerApp", "Program.cs.txt"), Path.Combine(app, "Program.cs"));

        var run = Dotnet(app, "run");
        run.Code.ShouldBe(0, run.Output);
        run.Output.ShouldContain("parameters fc1.bias,fc1.weight,fc2.bias,fc2.weight");
        var match = LossLine().Match(run.Output);
        match.Success.ShouldBeTrue(run.Output);
        double first = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double last = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        last.ShouldBeLessThan(first / 2, run.Output);
    }

    [GeneratedRegex(@"loss (\S+) -> (\S+)")]
    private static partial Regex LossLine();
}
