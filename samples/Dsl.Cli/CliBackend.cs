using Dsl.Backend.DirectML;
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
    /// <exception cref="CliException">DirectML is missing (naming what and how to get it) or not yet able to train.</exception>
    public static IBackend Create(string device)
    {
        if (device != "directml") return new TorchBackend(device);
        var probe = DirectMLAvailability.Probe();
        if (!probe.IsAvailable) throw new CliException("--device directml: " + probe.UnavailableReason, exitCode: 1);
        throw new CliException($"--device directml: found {probe.Device}, but Backend.DirectML cannot run training graphs yet (its op lowering is not built; see docs/directml.md). Use --device cpu.", exitCode: 1);
    }
}
