using Dsl.Backend.Torch;
using Dsl.Models;
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
            [Mlp.ImagesInput] = HostTensor.F32(new Shape(Batch, 12), [.. Enumerable.Range(0, Batch * 12).Select(_ => random.NextSingle())]),
            [Mlp.LabelsInput] = HostTensor.I64(new Shape(Batch), [.. Enumerable.Range(0, Batch).Select(i => (long)((i + step) % 4))]),
        };
    }

    /// <summary>
    /// The <see cref="Mlp"/> regressing one-hot targets with a mean squared error: the supervised
    /// task's network without cross-entropy, whose gradient needs scatter-add (not lowered yet).
    /// </summary>
    sealed class RegressionMlpTask(Mlp mlp, double inputDropout = 0) : ITrainingTask
    {
        public const string TargetsInput = "targets";

        public string Name => "regression_mlp";

        public TrainingGraph Build(Graph graph, int batchSize)
        {
            var x = graph.Input(Mlp.ImagesInput, new Shape(batchSize, mlp.Inputs));
            var targets = graph.Input(TargetsInput, new Shape(batchSize, mlp.Classes));
            var parameters = mlp.DeclareParameters(graph);
            if (inputDropout > 0)
            {
                // Inverted dropout from the step's seed: random numbers the harness must feed alike.
                var keep = Ops.Greater(Ops.RandomUniform(graph[Trainer.SeedInput], x.Shape), Ops.Full(graph, x.Shape, inputDropout));
                x = x * keep * (1 / (1 - inputDropout));
            }
            var error = mlp.Forward(x) - targets;
            var loss = Ops.Mean(error * error, [0, 1]);
            return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["max_error"] = Ops.Max(Ops.Abs(error), [0, 1]) }, parameters, Autodiff.Gradients(loss, parameters));
        }

        public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) => mlp.InitialParameters(seed);
    }

    static Dictionary<string, HostTensor> RegressionBatch(int step)
    {
        var batch = MlpBatch(step);
        var labels = (long[])batch[Mlp.LabelsInput].Data;
        var targets = new float[Batch * 4];
        for (var i = 0; i < Batch; i++)
            targets[i * 4 + labels[i]] = 1;
        return new Dictionary<string, HostTensor>
        {
            [Mlp.ImagesInput] = batch[Mlp.ImagesInput],
            [RegressionMlpTask.TargetsInput] = HostTensor.F32(new Shape(Batch, 4), targets),
        };
    }

    [Fact]
    public void Three_AdamW_steps_of_an_mlp_regression_equal_Torch()
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        TrainingStepComparison.Run(
            () => new RegressionMlpTask(new Mlp(hidden: 16, Activation.Relu, inputs: 12, classes: 4)),
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
            () => new RegressionMlpTask(new Mlp(hidden: 16, Activation.Relu, inputs: 12, classes: 4), inputDropout: 0.25),
            RegressionBatch,
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), Seed: 9),
            backend, device, steps: 3);
        device.Gpu.Errors.ShouldBeEmpty();
    }
}
