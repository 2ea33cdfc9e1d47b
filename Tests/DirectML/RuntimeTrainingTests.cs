using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Training;
using Dsl.Tests.DirectML.ReferenceDevice;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// A whole training step (forward, backward, AdamW updates of parameters and optimizer state)
/// through DirectMLBackend on the reference device, against Backend.Torch.
/// </summary>
public class RuntimeTrainingTests
{
    const int Batch = 8;

    static Dictionary<string, HostTensor> MlpBatch(int step)
    {
        var random = new System.Random(10 + step);
        return new Dictionary<string, HostTensor>
        {
            [ShuffledBatches.RowsInput] = HostTensor.F32(new Shape(Batch, 12), [.. Enumerable.Range(0, Batch * 12).Select(_ => random.NextSingle())]),
            [ShuffledBatches.LabelsInput] = HostTensor.I64(new Shape(Batch), [.. Enumerable.Range(0, Batch).Select(i => (long)((i + step) % 4))]),
        };
    }

    /// <summary>
    /// The <see cref="Mlp"/> block (12-16-4, ReLU) regressing one-hot targets with a mean squared error: the
    /// supervised task's network without cross-entropy, whose gradient needs scatter-add (not lowered yet).
    /// </summary>
    sealed class RegressionMlpTask(double inputDropout = 0) : ITrainingTask
    {
        public const string TargetsInput = "targets";
        Registry? registry;

        public string Name => "regression_mlp";

        public TrainingGraph Build(Graph graph, int batchSize)
        {
            var x = graph.Input(ShuffledBatches.RowsInput, new Shape(batchSize, 12));
            var targets = graph.Input(TargetsInput, new Shape(batchSize, 4));
            var mlp = ModelContext.Build(graph, () => new Mlp(12, 16, 4, Activation.Relu), out registry);
            if (inputDropout > 0)
            {
                // Inverted dropout from the step's seed: random numbers the harness must feed alike.
                var keep = Ops.Greater(Ops.RandomUniform(graph[Trainer.SeedInput], x.Shape), Ops.Full(graph, x.Shape, inputDropout));
                x = x * keep * (1 / (1 - inputDropout));
            }
            var output = mlp.Forward(x, out var tape);
            var error = output - targets;
            var loss = Ops.Mean(error * error, [0, 1]);
            var grads = new Dsl.Gradients();
            mlp.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), output)[0]!, grads);
            var parameters = registry.Parameters.Select(p => p.Value).ToArray();
            return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["max_error"] = Ops.Max(Ops.Abs(error), [0, 1]) }, parameters, [.. parameters.Select(p => grads[p])]);
        }

        public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) => Initializers.Initialize(registry!, seed);
    }

    static Dictionary<string, HostTensor> RegressionBatch(int step)
    {
        var batch = MlpBatch(step);
        var labels = (long[])batch[ShuffledBatches.LabelsInput].Data;
        var targets = new float[Batch * 4];
        for (var i = 0; i < Batch; i++)
            targets[i * 4 + labels[i]] = 1;
        return new Dictionary<string, HostTensor>
        {
            [ShuffledBatches.RowsInput] = batch[ShuffledBatches.RowsInput],
            [RegressionMlpTask.TargetsInput] = HostTensor.F32(new Shape(Batch, 4), targets),
        };
    }

    [Fact]
    public void Three_AdamW_steps_of_an_mlp_regression_equal_Torch()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        TrainingStepComparison.Run(
            () => new RegressionMlpTask(),
            RegressionBatch,
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), ClipNorm: 1.0, Seed: 5),
            backend, device, steps: 3);
        device.Gpu.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Three_steps_with_dropout_draw_the_same_host_random_numbers_on_both_backends()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        TrainingStepComparison.Run(
            () => new RegressionMlpTask(inputDropout: 0.25),
            RegressionBatch,
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), Seed: 9),
            backend, device, steps: 3);
        device.Gpu.Errors.ShouldBeEmpty();
    }
}
