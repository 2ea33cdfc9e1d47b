using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.DirectML.ReferenceDevice;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>The random-op harness: the same host numbers reach whichever backend it wraps.</summary>
public class HostRandomBackendTests
{
    static Graph Noisy()
    {
        var g = new Graph("noisy");
        var seed = g.Input("seed", new Shape(2), DType.Int64);
        var x = g.Input("x", new Shape(4, 5));
        var keep = Ops.Greater(Ops.RandomUniform(seed, new Shape(4, 5)), Ops.Full(g, new Shape(4, 5), 0.3));
        g.Output("y", x * keep + Ops.RandomNormal(seed, new Shape(4, 5)) * 0.1f);
        g.Output("u", Ops.RandomUniform(seed, new Shape(4, 5)));
        return g;
    }

    static IReadOnlyDictionary<string, HostTensor> Run(IBackend backend, long seed, long step)
    {
        using var compiled = backend.Compile(Noisy());
        return compiled.Run(new Dictionary<string, HostTensor>
        {
            ["seed"] = HostTensor.I64(new Shape(2), [seed, step]),
            ["x"] = RuntimeForwardTests.RandomTensor(new Shape(4, 5), 3),
        });
    }

    [Fact]
    public void Random_ops_draw_the_same_host_numbers_on_Torch_and_on_the_reference_device()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var dml = device.CreateBackend();
        var torch = Run(new HostRandomBackend(new TorchBackend()), 7, 1);
        var reference = device.Explain(() => Run(new HostRandomBackend(dml), 7, 1));
        foreach (var (name, value) in torch)
            Close.Assert(reference[name], value, rtol: 1e-6, atol: 1e-7, name);

        var u = torch["u"].ToDoubles();
        u.ShouldAllBe(v => v >= 0 && v < 1);
        u.Distinct().Count().ShouldBe(u.Length);
        // Another step (seed offset) draws other numbers; the same seed and step draw the same.
        Run(new HostRandomBackend(new TorchBackend()), 7, 2)["u"].ToDoubles().ShouldNotBe(u);
        Run(new HostRandomBackend(new TorchBackend()), 7, 1)["u"].ToDoubles().ShouldBe(u);
    }
}
