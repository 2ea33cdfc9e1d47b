namespace Dsl.Models.Blocks;

/// <summary>
/// Batch normalisation over [N, C] or [N, C, L], PyTorch's <c>nn.BatchNorm1d</c> (momentum 0.1):
/// <c>weight</c>, <c>bias</c>, and the buffers <c>running_mean</c>, <c>running_var</c>. In
/// <see cref="Training"/> mode it normalises with batch statistics and updates the running
/// statistics after each run; otherwise it uses the running statistics. PyTorch's
/// <c>num_batches_tracked</c> buffer is not kept (it only matters for momentum = None).
/// </summary>
[Model]
public partial class BatchNorm1d
{
    [Parameter(Init.Ones)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;
    [Buffer(Init.Zeros)] readonly Tensor runningMean;
    [Buffer(Init.Ones)] readonly Tensor runningVar;
    readonly double eps;

    /// <summary>Normalises <paramref name="channels"/> channels (axis 1).</summary>
    public BatchNorm1d(int channels, double eps = 1e-5)
    {
        weight = Param(channels);
        bias = Param(channels);
        runningMean = BufferOf(channels);
        runningVar = BufferOf(channels);
        this.eps = eps;
    }

    /// <summary>Training mode (batch statistics, running-stat updates) or evaluation mode (running statistics).</summary>
    public bool Training { get; set; } = true;

    /// <summary>[N, C, ...] → [N, C, ...].</summary>
    [Forward]
    public Tensor Forward(Tensor x) => BatchNormCore.Apply(x, weight, bias, runningMean, runningVar, eps, Training);
}

/// <summary>
/// Batch normalisation over [N, C, H, W], PyTorch's <c>nn.BatchNorm2d</c> (momentum 0.1): the same
/// parameters, buffers and modes as <see cref="BatchNorm1d"/> (no <c>num_batches_tracked</c>).
/// </summary>
[Model]
public partial class BatchNorm2d
{
    [Parameter(Init.Ones)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;
    [Buffer(Init.Zeros)] readonly Tensor runningMean;
    [Buffer(Init.Ones)] readonly Tensor runningVar;
    readonly double eps;

    /// <summary>Normalises <paramref name="channels"/> channels (axis 1).</summary>
    public BatchNorm2d(int channels, double eps = 1e-5)
    {
        weight = Param(channels);
        bias = Param(channels);
        runningMean = BufferOf(channels);
        runningVar = BufferOf(channels);
        this.eps = eps;
    }

    /// <summary>Training mode (batch statistics, running-stat updates) or evaluation mode (running statistics).</summary>
    public bool Training { get; set; } = true;

    /// <summary>[N, C, H, W] → [N, C, H, W].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 4) throw new ShapeException($"BatchNorm2d expects [N, C, H, W], got {x.Type}.");
        return BatchNormCore.Apply(x, weight, bias, runningMean, runningVar, eps, Training);
    }
}

/// <summary>The computation shared by <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>.</summary>
internal static class BatchNormCore
{
    /// <summary>
    /// Training: batch statistics, and the running statistics updated after the run (chained if the
    /// layer runs twice in one step). Evaluation: the running statistics. Its gradient comes from the
    /// rules of the ops it appends.
    /// </summary>
    [Differentiable]
    public static Tensor Apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, bool training)
    {
        if (!training) return Ops.BatchNormEval(x, weight, bias, runningMean, runningVar, eps);
        var (normalized, mean, variance) = Ops.BatchNorm(x, weight, bias, eps);
        x.Graph.Update(runningMean, Ops.RunningMeanUpdate(runningMean, mean));
        x.Graph.Update(runningVar, Ops.RunningVarUpdate(runningVar, variance, x.Shape.Numel / x.Shape[1]));
        return normalized;
    }
}
