using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Runtime;
using Dsl.Backend.Torch;

namespace Dsl.Cli;

/// <summary>The backend for <c>--device</c>: TorchSharp for cpu/cuda; DirectML is probed first so a machine without it fails at once.</summary>
static class CliBackend
{
    /// <summary>Devices <c>--device</c> accepts.</summary>
    public static readonly string[] Devices = ["cpu", "cuda", "directml"];

    /// <summary>Description of <c>--device</c>.</summary>
    public const string Description = "cpu; cuda (needs a libtorch-cuda build and a GPU); or directml (DirectX 12 GPU on Windows/WSL; the probe runs and names what is missing).";

    /// <summary>The backend for <paramref name="device"/>.</summary>
    /// <exception cref="CliException">DirectML is missing (naming what and how to get it).</exception>
    public static IBackend Create(string device)
    {
        if (device != "directml") return new TorchBackend(device);
        var probe = DirectMLAvailability.Probe();
        if (!probe.IsAvailable) throw new CliException("--device directml: " + probe.UnavailableReason, exitCode: 1);
        // Graphs using an op the DirectML lowering does not cover yet fail at compile time, naming the op (docs/directml.md).
        return DirectMLBackend.Create();
    }
}
