using Dsl.Bench.Rows;
using Dsl.Execution;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>What one reference forward produces: the loss, an auxiliary loss (online probe) and metrics the DSL step also reports.</summary>
readonly record struct StepTensors(TT Loss, TT? Auxiliary = null, params TT[] Metrics);

/// <summary>
/// The step every reference shares, as a PyTorch user writes it: forward, zero_grad, backward
/// (the loss plus any auxiliary loss), clip_grad_norm_, optimizer.step(), and the loss and metrics
/// read back to the host (the DSL trainer reads its outputs back every step too).
/// </summary>
abstract class TorchStep : IReferenceStep
{
    readonly torch.optim.Optimizer optimizer;
    readonly double? clipNorm;

    protected TorchStep(ReferenceSetup setup)
    {
        Parameters = new TorchParameters(setup);
        optimizer = Parameters.CreateOptimizer(setup.Options);
        clipNorm = setup.Options.ClipNorm;
        Seed = setup.Options.Seed;
    }

    protected TorchParameters Parameters { get; }

    /// <summary>The trainer's seed input (seed, step) of the current step, for random draws.</summary>
    protected int Seed { get; }
    protected long Step { get; private set; }

    protected abstract StepTensors Forward(IReadOnlyDictionary<string, HostTensor> batch);

    public double Run(IReadOnlyDictionary<string, HostTensor> batch)
    {
        using var scope = torch.NewDisposeScope();
        var result = Forward(batch);
        optimizer.zero_grad();
        (result.Auxiliary is null ? result.Loss : result.Loss + result.Auxiliary).backward();
        var norm = Parameters.ClipGradients(clipNorm);
        optimizer.step();
        Step++;
        using (torch.no_grad())
        {
            foreach (var metric in result.Metrics) metric.ToDouble();
            norm?.ToDouble();
        }
        return result.Loss.item<float>();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Parameters.Dispose();
    }
}
