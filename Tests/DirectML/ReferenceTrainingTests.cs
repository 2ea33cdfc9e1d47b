using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Methods;
using Dsl.Models.Tasks;
using Dsl.Models.Training;
using Dsl.Models.Vision;
using Dsl.Operators;
using Dsl.Tests.DirectML.ReferenceDevice;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The end-to-end check: three full training steps (forward, backward, optimizer and
/// clipping inside the step graph) of the product's tasks through DirectMLBackend on the
/// reference device equal Backend.Torch — loss, metrics and every parameter, buffer and
/// optimizer state within 1e-4 relative. Small configurations keep the CPU interpreter quick.
/// </summary>
public class ReferenceTrainingTests
{
    const int Batch = 8;

    static HostTensor Images(System.Random random, int channels, int size) =>
        HostTensor.F32(new Shape(Batch, channels, size, size), [.. Enumerable.Range(0, Batch * channels * size * size).Select(_ => random.NextSingle())]);

    static Func<int, IReadOnlyDictionary<string, HostTensor>> TwoViews(int channels, int size) => step =>
    {
        var random = new System.Random(100 + step);
        return new Dictionary<string, HostTensor> { ["view1"] = Images(random, channels, size), ["view2"] = Images(random, channels, size) };
    };

    static void Compare(Func<ITrainingTask> task, Func<int, IReadOnlyDictionary<string, HostTensor>> batch, TrainerOptions options)
    {
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        TrainingStepComparison.Run(task, batch, options, backend, device, steps: 3);
        device.Gpu.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Supervised_mlp_with_cross_entropy_trains_alike()
    {
        Compare(() => new SupervisedMlpTask(12, 16, 4, Activation.Relu), step =>
            {
                var random = new System.Random(10 + step);
                return new Dictionary<string, HostTensor>
                {
                    [ShuffledBatches.RowsInput] = HostTensor.F32(new Shape(Batch, 12), [.. Enumerable.Range(0, Batch * 12).Select(_ => random.NextSingle())]),
                    [ShuffledBatches.LabelsInput] = HostTensor.I64(new Shape(Batch), [.. Enumerable.Range(0, Batch).Select(i => (long)((i + step) % 4))]),
                };
            },
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), ClipNorm: 1.0, Seed: 4));
    }

    [Fact]
    public void SimClr_trains_alike() =>
        Compare(() => new SimClrTask(Backbone.Conv(1, 8), 1, 28, 8, 0.2), TwoViews(1, 28),
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), ClipNorm: 1.0, Seed: 3));

    /// <summary>
    /// Supervised classification with a narrow ResNet that keeps torchvision's ImageNet stem
    /// (7×7 stride 2, then 3×3 stride 2 max pooling with padding 1): its gradient scatters by the
    /// max-pooling indices, which the DirectML lowering makes per-plane (MAX_POOLING2,
    /// FILL_VALUE_SEQUENCE, SUBTRACT, CAST). One block per stage and width 8 keep the reference
    /// interpreter quick: 4 s for three steps, where SimCLR on ResNet-18 (width 64) at batch 2 took 54 s.
    /// </summary>
    sealed class MaxPoolResNetTask : ITrainingTask
    {
        public const int Channels = 3, Size = 32, Classes = 4;
        Registry? registry;

        public string Name => "maxpool_resnet";

        public TrainingGraph Build(Graph graph, int batchSize)
        {
            var images = graph.Input("images", new Shape(batchSize, Channels, Size, Size));
            var labels = graph.Input("labels", new Shape(batchSize), DType.Int64);
            var model = ModelContext.Build(graph, () => new ResNet([1, 1, 1, 1], Classes, cifarStem: false, width: 8, inChans: Channels) { Training = true }, out registry, "resnet");
            var logits = model.Forward(images, out var tape);
            Tensor loss;
            using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, labels);
            var grads = new Dsl.Gradients();
            model.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0], grads);
            var parameters = registry.Parameters.Select(p => p.Value).ToArray();
            return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
        }

        public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
            Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the graph first."), seed);
    }

    /// <summary>
    /// SGD with momentum, as for MAE: layer4 runs on 1×1 maps, where some weight gradients are
    /// near zero and differ by rounding between the backends; Adam's first steps scale each to
    /// about the learning rate, which turns that noise into differences beyond 1e-4 (the stem's
    /// weights, behind the max-pooling gradient, agree to 7e-5 after an AdamW step).
    /// </summary>
    [Fact]
    public void Max_pooling_ResNet_classifier_trains_alike()
    {
        var graph = new Graph("probe");
        new MaxPoolResNetTask().Build(graph, Batch);
        graph.Nodes.Count(n => n.Op is MaxPool2dOp).ShouldBe(1);
        // The max-pooling gradient scatters by the indices (reshaped to [N, C, H·W]).
        graph.Nodes.Count(n => n.Op is ScatterAddOp && n.Inputs[1].Producer is { Op: ReshapeOp } r && r.Inputs[0].Producer?.Op is MaxPool2dOp).ShouldBe(1);

        const int size = MaxPoolResNetTask.Size, channels = MaxPoolResNetTask.Channels;
        Compare(() => new MaxPoolResNetTask(), step =>
            {
                var random = new System.Random(300 + step);
                return new Dictionary<string, HostTensor>
                {
                    ["images"] = Images(random, channels, size),
                    ["labels"] = HostTensor.I64(new Shape(Batch), [.. Enumerable.Range(0, Batch).Select(i => (long)((i + step) % MaxPoolResNetTask.Classes))]),
                };
            },
            new TrainerOptions(Batch, new Sgd(), new ConstantSchedule(0.05), ClipNorm: 1.0, Seed: 3));
    }

    [Fact]
    public void Barlow_twins_trains_alike() =>
        Compare(() => new BarlowTwinsTask(Backbone.Conv(1, 8), 1, 28, 16), TwoViews(1, 28),
            new TrainerOptions(Batch, new AdamW(), new ConstantSchedule(1e-2), ClipNorm: 1.0, Seed: 3));

    /// <summary>
    /// SGD with momentum, not AdamW: the attention's key bias has a zero gradient in exact
    /// arithmetic (softmax ignores a shift shared by every key), so each backend's gradient there is
    /// rounding noise of ~1e-10, which Adam's normalisation turns into full-size, backend-specific
    /// steps. The AdamW update itself is compared by the other tasks. Three channels make the
    /// patchify permute a 6-D copy; the norm-pix loss adds per-patch statistics.
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void Mae_trains_alike(int channels, bool normPixLoss) =>
        Compare(() => new MaeTask(new MaeConfig(28, 7, channels, 16, 1, 2, 16, 1, 2, NormPixLoss: normPixLoss)), step =>
            {
                var random = new System.Random(200 + step);
                return new Dictionary<string, HostTensor> { [MaeTask.ImagesInput] = Images(random, channels, 28) };
            },
            new TrainerOptions(Batch, new Sgd(), new ConstantSchedule(0.05), ClipNorm: 1.0, Seed: 3));
}
