using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.ReferenceDevice;
using WritingModels.UserOp;

namespace Dsl.Tests.Samples;

/// <summary>
/// A user op on DirectML (the reference device): an <see cref="Op"/> with its own VJP has no
/// lowering and the error says what to do; the same op as a <see cref="DecomposableOp"/> is lowered
/// as its decomposition and computes the right values.
/// </summary>
public class UserOpOnDirectMLTests
{
    /// <summary>Swish as the formula x·σ(x) over catalogue ops.</summary>
    sealed record DecomposedSwishOp : DecomposableOp
    {
        public override string Name => "decomposed_swish";
        public override TensorType[] InferTypes(TensorType[] inputs) => [inputs[0]];
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs) => [inputs[0] * Ops.Sigmoid(inputs[0])];
    }

    [Fact]
    public void A_user_op_without_a_decomposition_is_refused_with_the_fix()
    {
        var g = new Graph("swish");
        g.Output("y", UserOps.Swish(g.Input("x", new Shape(2, 3))));
        using var device = new ReferenceDevice();
        using var backend = device.CreateBackend();
        var e = Should.Throw<NotSupportedException>(() => backend.Compile(g));
        e.Message.ShouldContain("DirectML has no lowering for the user op 'swish' (SwishOp, declared outside Dsl)");
        e.Message.ShouldContain("derive it from Dsl.DecomposableOp");
        e.Message.ShouldContain("KernelTable.Register");
        e.Message.ShouldContain("docs/writing-models.md");
    }

    [Fact]
    public void A_decomposable_user_op_runs_as_its_decomposition()
    {
        var g = new Graph("swish");
        var x = g.Input("x", new Shape(2, 3));
        g.Output("y", g.Apply(new DecomposedSwishOp(), x)[0]);
        var values = new float[] { -2, -0.5f, 0, 0.5f, 1, 3 };
        using var device = new ReferenceDevice();
        using var backend = device.CreateBackend();
        using var compiled = backend.Compile(g);
        var y = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(new Shape(2, 3), values) })["y"].ToDoubles();
        for (int i = 0; i < values.Length; i++) y[i].ShouldBe(values[i] / (1 + Math.Exp(-values[i])), 1e-6);
    }

    [Fact]
    public void Backend_torch_names_the_missing_kernel_and_how_to_register_it()
    {
        var g = new Graph("swish");
        g.Output("y", g.Apply(new DecomposedSwishOp(), g.Input("x", new Shape(2)))[0]);
        var e = Should.Throw<NotSupportedException>(() => new Dsl.Backend.Torch.TorchBackend().Compile(g));
        e.Message.ShouldContain("Backend.Torch has no kernel for op 'decomposed_swish'");
        e.Message.ShouldContain("KernelTable.Register<DecomposedSwishOp>((op, inputs) => ...)");
        e.Message.ShouldContain("docs/writing-models.md");
    }
}
