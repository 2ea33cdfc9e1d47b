using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Runtime;
using Dsl.Backend.Torch;
using Dsl.Execution;

namespace Dsl.Cli;

/// <summary>The backend for <c>--device</c>: TorchSharp for cpu/cuda; DirectML is probed first so a machine without it fails at once.</summary>
static class CliBackend
{
    /// <summary>Devices <c>--device</c> accepts.</summary>
    public static readonly string[] Devices = ["cpu", "cuda", "directml"];

    /// <summary>Description of <c>--device</c>.</summary>
    public const string Description = "cpu; cuda (needs a libtorch-cuda build and a GPU); or directml (a DirectX 12 GPU with DirectML, Windows or WSL; where it is missing the command stops at once naming what to install).";

    /// <summary>The backend for <paramref name="device"/>.</summary>
    /// <exception cref="CliException">DirectML is missing (naming what and how to get it).</exception>
    public static IBackend Create(string device)
    {
        if (device != "directml") return new TorchBackend(device);
        var probe = DirectMLAvailability.Probe();
        if (!probe.IsAvailable) throw new CliException("--device directml: " + probe.UnavailableReason, exitCode: 1);
        return DirectMLBackend.Create();
    }
}
