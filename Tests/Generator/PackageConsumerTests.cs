using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Dsl.Tests.Generator;

/// <summary>
/// `dotnet pack` of Dsl yields a package that brings the generator along: a throw-away project that
/// references only the package gets its [Model] classes generated, compiles and runs them.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("dsl-consumer").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static string RepoRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    static (int Code, string Output) Dotnet(string workingDirectory, string args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet", args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(4))) { p.Kill(entireProcessTree: true); return (-1, "timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Packed_package_brings_the_generator_to_a_consumer_project()
    {
        var feed = Path.Combine(root, "feed");
        var version = "0.1.0-test" + DateTime.UtcNow.Ticks;
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var pack = Dotnet(RepoRoot(), $"pack Dsl/Dsl.csproj --no-build -c {configuration} -o \"{feed}\" -p:PackageVersion={version}");
        pack.Code.ShouldBe(0, pack.Output);

        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="feed" value="{feed}" /></packageSources>
            </configuration>
            """);
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
              <ItemGroup><PackageReference Include="Dsl" Version="{version}" /></ItemGroup>
            </Project>
            """);
        // Keep the repository's build settings out of the throw-away project.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Dsl;

            var graph = new Graph("consumer");
            var model = ModelContext.Build(graph, () => new Consumer.Mlp(3, 5), out var registry);
            var x = graph.Input("x", new Shape(2, 3));
            var y = model.Forward(x, out var tape);
            var grads = new Gradients();
            var dx = model.Backward(tape, Ops.OnesLike(y), grads);
            Console.WriteLine(string.Join(",", registry.Parameters.Select(p => p.Name)));
            Console.WriteLine($"dx {dx!.Type}; d fc1.weight {grads[graph["fc1.weight"]].Type}");

            namespace Consumer
            {
                [Model]
                public partial class Linear
                {
                    [Parameter(Init.XavierUniform)] readonly Tensor weight;
                    [Parameter] readonly Tensor bias;
                    public Linear(int i, int o) { weight = Param(o, i); bias = Param(o); }
                    [Forward] public Tensor Forward(Tensor x) => Ops.Linear(x, weight, bias);
                }

                [Model]
                public partial class Mlp
                {
                    [Module] readonly Linear fc1, fc2;
                    public Mlp(int d, int h) { fc1 = new Linear(d, h); fc2 = new Linear(h, d); }
                    [Forward] public Tensor Forward(Tensor x) => fc2.Forward(Ops.Relu(fc1.Forward(x)));
                }
            }
            """);

        var run = Dotnet(app, "run", new() { ["NUGET_PACKAGES"] = Path.Combine(root, "packages") });
        run.Code.ShouldBe(0, run.Output);
        run.Output.ShouldContain("fc1.weight,fc1.bias,fc2.weight,fc2.bias");
        run.Output.ShouldContain("dx f32[2,3]; d fc1.weight f32[5,3]");
    }
}
