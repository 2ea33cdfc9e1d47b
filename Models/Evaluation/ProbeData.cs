using System.Diagnostics;
using Dsl.Execution;
using Dsl.Models.Data;

namespace Dsl.Models.Evaluation;

/// <summary>Labelled images for frozen-feature evaluation: the probe's training split and the test split ([count, C, H, W] row-major).</summary>
/// <param name="TrainImages">Images the probe (and kNN's memory bank) is fitted on.</param>
/// <param name="TrainLabels">Their labels.</param>
/// <param name="TestImages">Images the accuracy is measured on.</param>
/// <param name="TestLabels">Their labels.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Classes">Number of classes.</param>
public sealed record ProbeData(float[] TrainImages, long[] TrainLabels, float[] TestImages, long[] TestLabels, int Channels, int Height, int Width, int Classes)
{
    /// <summary>Probe data from labelled datasets: the first <paramref name="trainCount"/> training images and the whole test set.</summary>
    public static ProbeData From(ImageDataset train, ImageDataset test, int trainCount)
    {
        if (train.Labels is null || test.Labels is null)
            throw new ArgumentException("Probing needs labelled training and test images (this dataset has no labels).");
        var subset = train.Take(Math.Min(trainCount, train.Count));
        return new ProbeData(subset.Pixels.AsSpan(0, subset.Count * subset.ImageSize).ToArray(), [.. subset.Labels!.Take(subset.Count).Select(l => (long)l)],
            test.Pixels, [.. test.Labels.Select(l => (long)l)], train.Channels, train.Height, train.Width, train.ClassNames.Count);
    }
}

/// <summary>Linear-probe and kNN accuracy of one set of features.</summary>
/// <param name="Probe">Linear-probe top-1 accuracy on the test split.</param>
/// <param name="Knn">kNN top-1 accuracy on the test split.</param>
/// <param name="Dim">Feature width.</param>
/// <param name="Seconds">Wall time of each part.</param>
public sealed record ProbeResult(double Probe, double Knn, int Dim, EvaluationSeconds Seconds);

/// <summary>Wall time of the parts of one evaluation row.</summary>
/// <param name="Features">Feature extraction of both splits (0 for raw pixels).</param>
/// <param name="Probe">Linear-probe training and scoring.</param>
/// <param name="Knn">kNN classification of the test split.</param>
public sealed record EvaluationSeconds(double Features, double Probe, double Knn)
{
    /// <summary>The three parts together.</summary>
    public double Total => Features + Probe + Knn;

    /// <summary>"features 1.2 s, probe 3.4 s, kNN 5.6 s".</summary>
    public override string ToString() => FormattableString.Invariant($"features {Features:F1} s, probe {Probe:F1} s, kNN {Knn:F1} s");
}

/// <summary>The evaluation protocol shared by the CLI and the tests: frozen features, then a linear probe and kNN.</summary>
public static class EncoderEvaluation
{
    /// <summary>Extracts features with <paramref name="features"/> (parameters by name) and measures both classifiers.</summary>
    public static ProbeResult Evaluate(IBackend backend, Func<Graph, Tensor, Tensor> features, IReadOnlyDictionary<string, HostTensor> parameters,
        ProbeData data, int seed = 0, int probeEpochs = 20, ProbeProtocol protocol = ProbeProtocol.AdamW)
    {
        var clock = Stopwatch.StartNew();
        var (train, dim) = Features.Extract(backend, features, parameters, data.TrainImages, data.TrainLabels.Length, data.Channels, data.Height, data.Width);
        var (test, _) = Features.Extract(backend, features, parameters, data.TestImages, data.TestLabels.Length, data.Channels, data.Height, data.Width);
        return Measure(backend, train, test, dim, data, seed, probeEpochs, protocol, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Both classifiers on raw pixels (the baseline pretraining has to beat).</summary>
    public static ProbeResult RawPixels(IBackend backend, ProbeData data, int seed = 0, int probeEpochs = 20, ProbeProtocol protocol = ProbeProtocol.AdamW) =>
        Measure(backend, data.TrainImages, data.TestImages, data.Channels * data.Height * data.Width, data, seed, probeEpochs, protocol, featureSeconds: 0);

    static ProbeResult Measure(IBackend backend, float[] train, float[] test, int dim, ProbeData data, int seed, int probeEpochs, ProbeProtocol protocol, double featureSeconds)
    {
        var clock = Stopwatch.StartNew();
        var probe = LinearProbe.Accuracy(backend, train, data.TrainLabels, test, data.TestLabels, dim, data.Classes, epochs: probeEpochs, seed: seed, protocol: protocol);
        var probeSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var knn = Knn.Accuracy(backend, train, data.TrainLabels, test, data.TestLabels, dim, data.Classes);
        return new(probe, knn, dim, new EvaluationSeconds(featureSeconds, probeSeconds, clock.Elapsed.TotalSeconds));
    }
}
