using Dsl.Execution;
using Dsl.Models.Checkpoints;

namespace Dsl.Tests.Checkpoints;

/// <summary>What a checkpoint holds is checked before use: finite values, and names and shapes that fit the model.</summary>
public sealed class CheckpointContentTests
{
    static Dictionary<string, HostTensor> Weights(float poison = 1f, double poison64 = 0.5) => new()
    {
        ["blocks.1.mlp.weight"] = HostTensor.F32(new Shape(2, 2), [1, 2, poison, 4]),
        ["blocks.0.attn.weight"] = HostTensor.F32(new Shape(3), [1, 2, 3]),
        ["optim.exp_avg_sq"] = HostTensor.F64(new Shape(2), [poison64, poison64]),
        ["step"] = HostTensor.I64(Shape.Scalar, [long.MaxValue]),
    };

    [Fact]
    public void Finite_checkpoint_passes_the_non_finite_check()
    {
        NonFiniteValues.Find(Weights()).ShouldBeEmpty();
        NonFiniteValues.Require("ok.safetensors", Weights());
    }

    [Fact]
    public void Checkpoint_with_nan_weights_is_refused_naming_the_first_such_tensor()
    {
        var e = Should.Throw<CheckpointException>(() => NonFiniteValues.Require("run/last.safetensors", Weights(poison: float.NaN, poison64: double.NegativeInfinity)));
        e.Path.ShouldBe("run/last.safetensors");
        // Ordinal name order: blocks.1... comes before optim...
        e.Message.ShouldContain("tensor 'blocks.1.mlp.weight' has NaN at index 2 (1 of its 4 values are NaN or infinite) (1 more tensors hold such values too)");
        e.Message.ShouldContain("--allow-nonfinite");
    }

    [Fact]
    public void Checkpoint_with_infinite_optimizer_state_is_refused()
    {
        var e = Should.Throw<CheckpointException>(() => NonFiniteValues.Require("c.safetensors", Weights(poison64: double.PositiveInfinity)));
        e.Message.ShouldContain("tensor 'optim.exp_avg_sq' has +Infinity at index 0 (2 of its 2 values");
    }

    [Fact]
    public void Allow_nonfinite_loads_a_checkpoint_with_nan_weights()
    {
        var weights = Weights(poison: float.NaN);
        NonFiniteValues.Require("c.safetensors", weights, allow: true);
        NonFiniteValues.Find(weights).Single().ShouldBe(("blocks.1.mlp.weight", 2L, double.NaN, 1L));
    }

    [Fact]
    public void Loading_into_a_model_with_other_names_and_shapes_lists_every_mismatch()
    {
        var model = new Dictionary<string, TensorType>
        {
            ["blocks.0.attn.weight"] = new(new Shape(3), DType.Float32),       // fits
            ["blocks.1.mlp.weight"] = new(new Shape(4, 2), DType.Float32),     // other shape
            ["step"] = new(Shape.Scalar, DType.Float32),                       // other dtype
            ["head.weight"] = new(new Shape(10, 4), DType.Float32),            // missing
            ["head.bias"] = new(new Shape(10), DType.Float32),                 // missing
        };
        var (missing, unexpected, differing) = CheckpointFit.Compare(model, Weights(), strict: true);
        missing.ShouldBe(["head.bias", "head.weight"]);
        unexpected.ShouldBe(["optim.exp_avg_sq"]);
        differing.Count.ShouldBe(2);

        var e = Should.Throw<CheckpointException>(() => CheckpointFit.Require("x.safetensors", model, Weights(), strict: true, "this encoder"));
        e.Message.ShouldContain("does not fit this encoder (2 missing: head.bias, head.weight; 1 unexpected: optim.exp_avg_sq; " +
            "2 with another shape or dtype: blocks.1.mlp.weight (checkpoint f32[2,2], model f32[4,2]), step (checkpoint i64[], model f32[])");

        // A partial load (an encoder out of a training checkpoint) ignores the tensors it does not use.
        CheckpointFit.Compare(model, Weights(), strict: false).Unexpected.ShouldBeEmpty();
    }

    [Fact]
    public void A_checkpoint_that_fits_passes()
    {
        var model = Weights().ToDictionary(p => p.Key, p => p.Value.Type);
        CheckpointFit.Require("x.safetensors", model, Weights(), strict: true, "this model");
    }
}
