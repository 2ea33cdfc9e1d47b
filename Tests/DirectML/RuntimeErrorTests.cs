using Dsl.Backend.DirectML;
using Dsl.Execution;
using Dsl.Tests.DirectML.ReferenceDevice;

namespace Dsl.Tests.DirectML;

/// <summary>What DirectMLBackend says when it is used wrongly, in Backend.Torch's words.</summary>
public class RuntimeErrorTests
{
    static ICompiledGraph Compile(ReferenceDevice.ReferenceDevice device, Dsl.Backend.DirectML.DirectMLBackend backend)
    {
        var g = new Graph("g");
        var x = g.Input("x", new Shape(2, 3));
        g.Parameter("w", new Shape(3));
        g.Output("y", Ops.Exp(x));
        return device.Explain(() => backend.Compile(g));
    }

    [Fact]
    public void A_missing_input_is_named()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        using var compiled = Compile(device, backend);
        Should.Throw<ArgumentException>(() => compiled.Run(new Dictionary<string, HostTensor>()))
            .Message.ShouldBe("Graph 'g' needs input 'x' (f32[2,3]); it was not given.");
    }

    [Fact]
    public void A_wrong_shape_or_dtype_is_named()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        using var compiled = Compile(device, backend);
        Should.Throw<ArgumentException>(() => compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(new Shape(3, 2), new float[6]) }))
            .Message.ShouldBe("Input 'x' must be f32[2,3], got f32[3,2].");
        Should.Throw<ArgumentException>(() => compiled.SetPersistent("w", HostTensor.I64(new Shape(3), new long[3])))
            .Message.ShouldContain("Cannot set 'w' (f32[3]) from i64[3]");
        Should.Throw<KeyNotFoundException>(() => compiled.GetPersistent("x"))
            .Message.ShouldContain("has no parameter, buffer or state named 'x'");
        device.Gpu.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void The_production_factory_fails_with_the_probe_message_where_DirectML_is_missing()
    {
        var probe = Dsl.Backend.DirectML.DirectMLAvailability.Probe();
        if (probe.IsAvailable)
        {
            using var backend = Dsl.Backend.DirectML.DirectMLBackend.Create();
            backend.Name.ShouldStartWith("directml:");
        }
        else
        {
            Should.Throw<Dsl.Backend.DirectML.DirectMLUnavailableException>(Dsl.Backend.DirectML.DirectMLBackend.Create)
                .Message.ShouldBe(probe.UnavailableReason);
        }
    }
}
