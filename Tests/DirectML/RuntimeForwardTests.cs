using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Runtime;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.DirectML.ReferenceDevice;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The DirectML runtime (DirectMLBackend) on the reference device: compile, initialize, bind,
/// upload, dispatch, read back, all through the D3D12 and DirectML COM interfaces, equals
/// Backend.Torch.
/// </summary>
public unsafe class RuntimeForwardTests
{
    /// <summary>x @ W1 + b1 → relu → @ W2 + b2 → softmax, and a second output from the hidden layer.</summary>
    internal static Graph Mlp()
    {
        var g = new Graph("mlp");
        var x = g.Input("x", new Shape(4, 8));
        var w1 = g.Parameter("w1", new Shape(8, 16));
        var b1 = g.Parameter("b1", new Shape(16));
        var w2 = g.Parameter("w2", new Shape(16, 3));
        var h = Ops.Relu(Ops.MatMul(x, w1) + b1);
        g.Output("p", Ops.Softmax(Ops.MatMul(h, w2), -1));
        g.Output("s", Ops.Sum(Ops.Exp(h * 0.1f), [1]));
        return g;
    }

    internal static HostTensor RandomTensor(Shape shape, int seed)
    {
        var random = new System.Random(seed);
        return HostTensor.F32(shape, [.. Enumerable.Range(0, (int)shape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1))]);
    }

    static void SetParameters(ICompiledGraph compiled)
    {
        var seed = 1;
        foreach (var p in compiled.Graph.Parameters)
            compiled.SetPersistent(p.Name!, RandomTensor(p.Shape, seed++));
    }

    [Fact]
    public void An_mlp_forward_on_the_reference_device_equals_Torch()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        backend.Name.ShouldBe("directml:reference");
        using var dml = device.Explain(() => backend.Compile(Mlp()));
        using var torch = new TorchBackend().Compile(Mlp());
        SetParameters(dml);
        SetParameters(torch);

        for (var run = 0; run < 2; run++)
        {
            var feeds = new Dictionary<string, HostTensor> { ["x"] = RandomTensor(new Shape(4, 8), 100 + run) };
            var got = device.Explain(() => dml.Run(feeds));
            var want = torch.Run(feeds);
            got.Keys.ShouldBe(want.Keys, ignoreOrder: true);
            foreach (var (name, value) in want)
                Close.Assert(got[name], value, rtol: 1e-5, atol: 1e-6, $"run {run}, output '{name}'");
        }
        device.Gpu.Errors.ShouldBeEmpty();
        device.Gpu.Operators.Count.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void The_runtime_reaches_the_reference_device_only_through_native_COM_pointers()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        var pointer = ReferenceGpu.Pointer<Dsl.Backend.DirectML.Interop.ID3D12Device>(device.D3D12);
        var wrapper = Dsl.Backend.DirectML.Interop.ComInterop.Take<Dsl.Backend.DirectML.Interop.ID3D12Device>(pointer);
        // A native wrapper (ComObject), not the managed reference object: calls cross the vtable.
        wrapper.ShouldBeAssignableTo<ComObject>();
        wrapper.ShouldNotBeSameAs(device.D3D12);
        wrapper.GetNodeCount().ShouldBe(1u);
        ComObjectRelease(wrapper);
    }

    static void ComObjectRelease(object wrapper) => Dsl.Backend.DirectML.Interop.ComInterop.FinalRelease(wrapper);
}
