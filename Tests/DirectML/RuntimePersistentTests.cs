using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.DirectML.ReferenceDevice;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>Persistent values, updates, constants and copied results of DirectMLBackend on the reference device.</summary>
public class RuntimePersistentTests
{
    [Fact]
    public void Persistent_values_start_at_zero_and_round_trip_float32_and_int64()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        var g = new Graph("state");
        var x = g.Input("x", new Shape(3));
        var w = g.Parameter("w", new Shape(3));
        g.State("counts", new Shape(2, 2), DType.Int64);
        g.Output("y", x * w);
        using var compiled = device.Explain(() => backend.Compile(g));

        compiled.GetPersistent("w").Data.ShouldBe(new float[3]);
        compiled.GetPersistent("counts").Data.ShouldBe(new long[4]);
        compiled.SetPersistent("w", HostTensor.F32(new Shape(3), [1.5f, -2, 1e-3f]));
        compiled.SetPersistent("counts", HostTensor.I64(new Shape(2, 2), [1, -2, 1L << 40, long.MinValue]));
        compiled.GetPersistent("w").Data.ShouldBe(new[] { 1.5f, -2, 1e-3f });
        var counts = compiled.GetPersistent("counts");
        counts.DType.ShouldBe(DType.Int64);
        counts.Data.ShouldBe(new[] { 1, -2, 1L << 40, long.MinValue });
        compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(new Shape(3), [2, 2, 2]) })["y"].Data.ShouldBe(new[] { 3f, -4, 2e-3f });
        device.Gpu.Errors.ShouldBeEmpty();
    }

    /// <summary>Updates (one reading another's target), a constant, outputs that are inputs or parameters, an int64 cast.</summary>
    static Graph Stateful()
    {
        var g = new Graph("stateful");
        var x = g.Input("x", new Shape(2, 3));
        var a = g.Parameter("a", new Shape(2, 3));
        var b = g.Parameter("b", new Shape(2, 3));
        var n = g.State("n", new Shape(2, 3), DType.Int64);
        var c = Ops.Constant(g, HostTensor.F32(new Shape(3), [0.5f, 1, 2]));
        g.Output("y", Ops.Relu(a * x + c));
        g.Output("x_again", Ops.Reshape(x, 3, 2));          // a copy of an input
        g.Output("b_before", b);                            // a copy of a parameter, before its update
        g.Output("n_float", Ops.Cast(n, DType.Float32));
        g.Update(a, b);                                     // swap a and b: each update must read the old values
        g.Update(b, a);
        g.Update(n, Ops.Cast(Ops.Cast(n, DType.Float32) + 1.0, DType.Int64));
        return g;
    }

    [Fact]
    public void Updates_constants_and_copied_outputs_match_Torch_over_several_runs()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        using var dml = device.Explain(() => backend.Compile(Stateful()));
        using var torch = new TorchBackend().Compile(Stateful());
        foreach (var compiled in new[] { dml, torch })
        {
            compiled.SetPersistent("a", RuntimeForwardTests.RandomTensor(new Shape(2, 3), 1));
            compiled.SetPersistent("b", RuntimeForwardTests.RandomTensor(new Shape(2, 3), 2));
        }
        for (var run = 0; run < 3; run++)
        {
            var feeds = new Dictionary<string, HostTensor> { ["x"] = RuntimeForwardTests.RandomTensor(new Shape(2, 3), 10 + run) };
            var got = device.Explain(() => dml.Run(feeds));
            var want = torch.Run(feeds);
            foreach (var (name, value) in want)
                Close.Assert(got[name], value, rtol: 1e-6, atol: 1e-7, $"run {run}: '{name}'");
            foreach (var name in new[] { "a", "b", "n" })
                Close.Assert(dml.GetPersistent(name), torch.GetPersistent(name), rtol: 0, atol: 0, $"run {run}: persistent '{name}'");
        }
        dml.GetPersistent("n").Data.ShouldBe(new long[] { 3, 3, 3, 3, 3, 3 });
        device.Gpu.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void A_graph_of_copies_only_runs_without_a_DirectML_graph()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        var g = new Graph("copies");
        var x = g.Input("x", new Shape(2), DType.Int64);
        var last = g.State("last", new Shape(2), DType.Int64);
        g.Output("previous", last);
        g.Update(last, x);
        using var compiled = device.Explain(() => backend.Compile(g));
        HostTensor Run(long a, long b) => compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.I64(new Shape(2), [a, b]) })["previous"];

        Run(1, 2).Data.ShouldBe(new long[] { 0, 0 });
        Run(3, 4).Data.ShouldBe(new long[] { 1, 2 });
        compiled.GetPersistent("last").Data.ShouldBe(new long[] { 3, 4 });
        device.Gpu.Operators.Count.ShouldBe(0);
        device.Gpu.Errors.ShouldBeEmpty();
    }
}
