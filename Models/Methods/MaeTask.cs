using Dsl.Execution;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// MAE pretraining as a training task: one augmented view per image (input "view1",
/// f32 [N, C, H, W]), masking noise drawn in the graph from the step's seed, the generated
/// Backward of <see cref="MaskedAutoencoder"/> for the gradients.
/// </summary>
public sealed class MaeTask(MaeConfig config) : ITrainingTask
{
    /// <summary>Name of the image input.</summary>
    public const string ImagesInput = "view1";

    MaskedAutoencoder? model;
    Registry? registry;

    /// <summary>The configuration.</summary>
    public MaeConfig Config { get; } = config;

    /// <inheritdoc/>
    public string Name => "mae";

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var images = graph.Input(ImagesInput, new Shape(batchSize, Config.Channels, Config.ImageSize, Config.ImageSize));
        var net = ModelContext.Build(graph, () => new MaskedAutoencoder(Config), out registry);
        model = net;
        Tensor noise;
        using (graph.Scope("masking")) noise = Ops.RandomUniform(graph[Trainer.SeedInput], new Shape(batchSize, net.NumPatches));
        var (loss, _, _) = net.Forward(images, noise, out var tape);
        var grads = new Gradients();
        net.Backward(tape, Ops.OnesLike(loss), null, null, grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        (model ?? throw new InvalidOperationException("Build the task's graph before initialising it.")).Initialize(registry!, seed);
}
