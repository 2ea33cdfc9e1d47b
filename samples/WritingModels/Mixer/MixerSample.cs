using WritingModels.Training;

namespace WritingModels.Mixer;

/// <summary>Trains a small <see cref="MlpMixer"/> on Fashion-MNIST with cross-entropy.</summary>
public static class MixerSample
{
    /// <summary>Trains for <paramref name="steps"/> steps; returns the losses.</summary>
    public static IReadOnlyList<double> Train(int steps)
    {
        var task = new ImageClassifierTask("mlp_mixer", () => new MlpMixer());
        return SampleTraining.Fit(task, new FashionBatches(32), steps, batchSize: 32, learningRate: 3e-3);
    }
}
