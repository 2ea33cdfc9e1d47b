using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The runtime asks the device for its DirectML feature level: below the backend's minimum it
/// refuses with the probe's message; at a later level the lowering takes the later operator.
/// </summary>
public class RuntimeFeatureLevelTests
{
    [Fact]
    public void A_device_below_the_minimum_level_is_refused_naming_both_levels()
    {
        using var device = new ReferenceDevice.ReferenceDevice(DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_2_1);
        var error = Should.Throw<DirectMLUnavailableException>(() => device.CreateBackend());
        error.Message.ShouldContain("DML_FEATURE_LEVEL_2_1");
        error.Message.ShouldContain("DML_FEATURE_LEVEL_3_0");
    }

    static Graph GeluGraph()
    {
        var g = new Graph("gelu");
        g.Output("y", Ops.Gelu(g.Input("x", new Shape(3, 5))));
        return g;
    }

    [Theory]
    [InlineData(0x3000, false)]
    [InlineData(0x5100, true)]
    public void Gelu_uses_the_activation_operator_only_where_the_device_has_it(int level, bool activation)
    {
        // Levels as DirectML.h's values (0xMm00): the enum is internal to the product.
        using var device = new ReferenceDevice.ReferenceDevice((DML_FEATURE_LEVEL)level);
        using var backend = device.CreateBackend();
        var x = RuntimeForwardTests.RandomTensor(new Shape(3, 5), 7);
        using var dml = backend.Compile(GeluGraph());
        using var torch = new TorchBackend().Compile(GeluGraph());
        var got = device.Explain(() => dml.Run(new Dictionary<string, HostTensor> { ["x"] = x }));
        Close.Assert(got["y"], torch.Run(new Dictionary<string, HostTensor> { ["x"] = x })["y"], 1e-5, 1e-6, "gelu");
        device.Gpu.Operators.Types.Contains(DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_GELU).ShouldBe(activation);
        device.Gpu.Operators.Types.Contains(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_ERF).ShouldBe(!activation);
    }
}
