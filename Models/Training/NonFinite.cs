using System.Globalization;

namespace Dsl.Models.Training;

/// <summary>What the <see cref="Trainer"/> does when a step's loss, gradient norm or another output is NaN or infinite.</summary>
public enum NonFinitePolicy
{
    /// <summary>Throw <see cref="NonFiniteException"/>; the trainer refuses to save its now-bad values.</summary>
    Stop,

    /// <summary>Restore the values from before the step (the update is dropped), count it and go on with the next batch.</summary>
    Skip,

    /// <summary>
    /// Throw <see cref="NonFiniteException"/> like <see cref="Stop"/>; <see cref="CheckpointedRun"/> then reloads the last
    /// good checkpoint and halves the learning rate.
    /// </summary>
    Rollback,
}

/// <summary>A step produced a NaN or infinite output: names the step, the learning rate and the output.</summary>
public sealed class NonFiniteException(long step, double learningRate, string output, double value)
    : Exception($"Step {step} (learning rate {learningRate.ToString("G4", CultureInfo.InvariantCulture)}): {Describe(output)} became {Format(value)}.")
{
    /// <summary>The step (0-based) whose outputs were non-finite.</summary>
    public long Step { get; } = step;

    /// <summary>The learning rate that step used.</summary>
    public double LearningRate { get; } = learningRate;

    /// <summary>The first non-finite output ("loss", "grad_norm", or a metric's name).</summary>
    public string Output { get; } = output;

    /// <summary>Its value (NaN or ±infinity).</summary>
    public double Value { get; } = value;

    static string Describe(string output) => output switch
    {
        "loss" => "the loss",
        "grad_norm" => "the global gradient norm (grad_norm)",
        _ => $"the output '{output}'",
    };

    static string Format(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";

    /// <summary>The first non-finite value among <paramref name="outputs"/> (in order), or null when all are finite.</summary>
    public static (string Name, double Value)? FirstNonFinite(IEnumerable<(string Name, double Value)> outputs)
    {
        foreach (var o in outputs)
            if (!double.IsFinite(o.Value)) return o;
        return null;
    }
}
