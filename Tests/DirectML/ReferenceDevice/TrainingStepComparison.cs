using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Training;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// Trains the same task on Backend.Torch and on a DirectML backend (the reference device in
/// tests), both behind <see cref="HostRandomBackend"/> so random ops draw the same numbers, and
/// asserts that every step's loss and, after the last step, every model value agree.
/// </summary>
internal static class TrainingStepComparison
{
    /// <summary>Default relative tolerance (float32 through different kernels, a few steps).</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>Default absolute tolerance, for values near zero.</summary>
    public const double AbsoluteTolerance = 1e-5;

    /// <param name="task">Makes a fresh task (each trainer gets its own).</param>
    /// <param name="batch">The batch for a step (without the seed and learning rate the trainer adds).</param>
    /// <param name="options">Trainer options, the same for both.</param>
    /// <param name="directml">The backend under test.</param>
    /// <param name="device">The reference device behind <paramref name="directml"/>, for its error messages; null on a real device.</param>
    /// <param name="steps">Steps to train.</param>
    public static void Run(Func<ITrainingTask> task, Func<int, IReadOnlyDictionary<string, HostTensor>> batch, TrainerOptions options,
        IBackend directml, ReferenceDevice? device, int steps = 3, double rtol = RelativeTolerance, double atol = AbsoluteTolerance)
    {
        T Explain<T>(Func<T> action) => device is null ? action() : device.Explain(action);

        using var torch = new Trainer(new HostRandomBackend(new TorchBackend()), task(), options);
        using var dml = Explain(() => new Trainer(new HostRandomBackend(directml), task(), options));
        var initial = torch.ModelValues();
        for (var step = 0; step < steps; step++)
        {
            var data = batch(step);
            var want = torch.RunStep(data);
            var got = Explain(() => dml.RunStep(data));
            got.Loss.ShouldBe(want.Loss, Math.Abs(want.Loss) * rtol + atol, $"loss at step {step}");
            foreach (var (name, value) in want.Metrics)
                got.Metrics[name].ShouldBe(value, Math.Abs(value) * rtol + atol, $"metric '{name}' at step {step}");
        }
        var expected = torch.ModelValues();
        var actual = Explain(dml.ModelValues);
        actual.Keys.ShouldBe(expected.Keys, ignoreOrder: true);
        foreach (var (name, value) in expected)
            Close.Assert(actual[name], value, rtol, atol, $"'{name}' after {steps} steps");
        // Not a comparison of untouched values: training moved the model.
        expected.ShouldContain(kv => Close.MaxRelativeError(kv.Value, initial[kv.Key]) > 10 * rtol, "no model value changed in training");
    }
}
