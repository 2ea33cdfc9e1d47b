using System.Globalization;
using Dsl;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;
using WritingModels.Training;

namespace WritingModels.SeResNet;

/// <summary>
/// Trains a <see cref="SeResNet"/> in training mode (BatchNorm on batch statistics, running
/// statistics updated each step), then evaluates it in eval mode (running statistics) on test images.
/// </summary>
public static class SeResNetSample
{
    /// <summary>Trains for <paramref name="steps"/> steps, then evaluates; returns the training losses.</summary>
    public static IReadOnlyList<double> Train(int steps)
    {
        var task = new ImageClassifierTask("se_resnet", () => new SeResNet());
        return SampleTraining.Fit(task, new FashionBatches(32), steps, batchSize: 32, learningRate: 1e-2,
            after: trainer => Evaluate(trainer.ModelValues()));
    }

    /// <summary>
    /// The same network switched to eval mode (the generated <c>SetTraining(false)</c>) in a graph of its own: no running-stat updates,
    /// the trained running statistics normalise. Parameters and buffers copy over by name.
    /// </summary>
    static void Evaluate(IReadOnlyDictionary<string, HostTensor> trained)
    {
        const int count = 256;
        var graph = new Graph("se_resnet_eval");
        var images = graph.Input(FashionBatches.Images, new Shape(count, 1, 28, 28));
        var labels = graph.Input(FashionBatches.Labels, new Shape(count), DType.Int64);
        var model = ModelContext.Build(graph, () =>
        {
            var network = new SeResNet();
            network.SetTraining(false);   // generated: every BatchNorm2d inside reads its running statistics
            return network;
        });
        var logits = model.Forward(images);
        graph.Output("loss", Ops.CrossEntropy(logits, labels));
        graph.Output("accuracy", Accuracy.Top1(logits, labels));
        if (graph.Updates.Count != 0) throw new InvalidOperationException("Eval mode must not update the running statistics.");

        using var compiled = new TorchBackend().Compile(graph);
        foreach (var value in graph.Persistent) compiled.SetPersistent(value.Name!, trained[value.Name!]);
        var outputs = compiled.Run(new FashionBatches(count, pool: count, test: true).Batch(0));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval mode on {count} test images: loss {outputs["loss"].ToScalar():F4}  accuracy {outputs["accuracy"].ToScalar():F3}"));
    }
}
