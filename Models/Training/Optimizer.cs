namespace Dsl.Models.Training;

/// <summary>
/// An optimizer written as graph ops over one flat vector: the parameters, their gradient and every
/// kind of state (e.g. "optim.exp_avg") are laid out as a <see cref="ParameterPack"/>, so one step
/// is a few whole-buffer ops whatever the number of parameters. It declares its state with
/// <see cref="Graph.State"/> and adds <see cref="Graph.Update"/>s for the parameters and the state,
/// so one run of the compiled step graph is one optimizer step. The learning rate is a graph input
/// (<see cref="LearningRateInput"/>), so schedules need no recompilation.
/// </summary>
public abstract record Optimizer
{
    /// <summary>Name of the scalar f32 learning-rate input of step graphs.</summary>
    public const string LearningRateInput = "lr";

    /// <summary>Prefix of the names of the optimizer's state values (e.g. "optim.exp_avg", one flat buffer per kind).</summary>
    public string StatePrefix { get; init; } = "optim";

    /// <summary>
    /// Which parameters get weight decay (and, for LARS/LAMB, trust-ratio adaptation); null means all.
    /// <see cref="ExcludeBiasAndNorm"/> is the MAE/SimCLR/Barlow Twins convention.
    /// </summary>
    public Func<Tensor, bool>? DecayFilter { get; init; }

    /// <summary>Decay only tensors of rank ≥ 2: biases and normalisation weights (rank 1) are exempt.</summary>
    public static bool ExcludeBiasAndNorm(Tensor parameter) => parameter.Rank >= 2;

    /// <summary>Declares the learning-rate input, a scalar f32 named <see cref="LearningRateInput"/>.</summary>
    public static Tensor DeclareLearningRate(Graph graph) => graph.Input(LearningRateInput, Shape.Scalar);

    /// <summary>
    /// Adds the updates of one optimizer step to <paramref name="graph"/>: every parameter i
    /// takes a new value computed from <paramref name="gradients"/>[i], and the state advances.
    /// The gradients are flattened here; see the other overload for a gradient already flat.
    /// </summary>
    /// <param name="graph">The step graph holding parameters and gradients.</param>
    /// <param name="parameters">Trainable values (named persistent tensors), in any order.</param>
    /// <param name="gradients">d(loss)/d(parameter), one per parameter, same types.</param>
    /// <param name="learningRate">A scalar of the parameters' dtype, usually from <see cref="DeclareLearningRate"/>.</param>
    public void AddUpdates(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate)
    {
        if (parameters.Count != gradients.Count)
            throw new ArgumentException($"{parameters.Count} parameters but {gradients.Count} gradients.");
        var pack = new ParameterPack(parameters);
        Tensor gradient;
        using (graph.Scope(StatePrefix)) gradient = pack.Flatten(pack.Arrange(parameters, gradients));
        AddUpdates(graph, pack, gradient, learningRate);
    }

    /// <summary>
    /// Adds the updates of one optimizer step for the parameters of <paramref name="pack"/> from their
    /// flat gradient (see <see cref="ParameterPack.Flatten"/>), as <see cref="Trainer"/> does after clipping.
    /// </summary>
    /// <param name="graph">The step graph holding parameters and gradient.</param>
    /// <param name="pack">The trainable parameters and their flat layout.</param>
    /// <param name="gradient">d(loss)/d(parameters), flat [<see cref="ParameterPack.Total"/>] in pack order.</param>
    /// <param name="learningRate">A scalar of the parameters' dtype, usually from <see cref="DeclareLearningRate"/>.</param>
    public void AddUpdates(Graph graph, ParameterPack pack, Tensor gradient, Tensor learningRate)
    {
        if (pack.Graph != graph) throw new ArgumentException($"The parameter pack belongs to graph '{pack.Graph.Name}', not '{graph.Name}'.");
        if (gradient.Type != pack.FlatType)
            throw new ShapeException($"The flat gradient is {gradient.Type} but the packed parameters are {pack.FlatType}.");
        if (learningRate.Rank != 0)
            throw new ShapeException($"The learning rate must be a scalar, got {learningRate.Type}.");
        if (pack.DType != learningRate.DType)
            throw new ShapeException($"Parameter {pack.Parameters[0].Ref} is {pack.Parameters[0].Type} but the learning rate is {learningRate.Type}.");
        using (graph.Scope(StatePrefix))
        {
            var updated = Build(graph, pack, pack.FlattenParameters(), gradient, learningRate);
            var values = pack.Unflatten(updated);
            for (int i = 0; i < pack.Count; i++) graph.Update(pack.Parameters[i], values[i]);
        }
    }

    /// <summary>Adds the state updates (arguments already checked) and returns the new flat parameters.</summary>
    /// <param name="graph">The step graph.</param>
    /// <param name="pack">The parameters' layout.</param>
    /// <param name="parameters">The parameters as one flat vector.</param>
    /// <param name="gradient">Their flat gradient.</param>
    /// <param name="learningRate">The scalar learning rate.</param>
    protected abstract Tensor Build(Graph graph, ParameterPack pack, Tensor parameters, Tensor gradient, Tensor learningRate);

    /// <summary>Declares a flat state value laid out like the pack, named "prefix.kind" (e.g. "optim.exp_avg").</summary>
    protected Tensor State(Graph graph, ParameterPack pack, string kind) =>
        graph.State($"{StatePrefix}.{kind}", pack.FlatType.Shape, pack.DType);

    /// <summary>Per parameter in pack order, whether weight decay applies (<see cref="DecayFilter"/>).</summary>
    protected bool[] DecayFlags(ParameterPack pack) => [.. pack.Parameters.Select(p => DecayFilter?.Invoke(p) ?? true)];

    /// <summary>
    /// λ·w on the parameters that decay and 0 on the others, as one whole-buffer product (by a
    /// scalar when all decay, by a constant mask holding λ otherwise); null when none decays or λ is 0.
    /// </summary>
    protected Tensor? DecayTerm(ParameterPack pack, Tensor parameters, double weightDecay)
    {
        var decays = DecayFlags(pack);
        if (weightDecay == 0 || !decays.Contains(true)) return null;
        return parameters * (decays.Contains(false) ? pack.Mask(decays, weightDecay) : parameters.Scalar(weightDecay));
    }
}

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// as <c>torch.optim.SGD</c> with dampening 0:
/// g ← g + λp; b ← μb + g; p ← p − lr·(nesterov ? g + μb : b).
/// The momentum buffer ("prefix.momentum_buffer") starts at zero, which equals PyTorch's first step b = g.
/// </summary>
/// <param name="Momentum">μ; 0 disables the buffer (no state).</param>
/// <param name="WeightDecay">λ, added to the gradient (coupled L2).</param>
/// <param name="Nesterov">Use Nesterov momentum (needs μ &gt; 0).</param>
public sealed record Sgd(double Momentum = 0.9, double WeightDecay = 0, bool Nesterov = false) : Optimizer
{
    /// <inheritdoc/>
    protected override Tensor Build(Graph graph, ParameterPack pack, Tensor parameters, Tensor gradient, Tensor learningRate)
    {
        if (Momentum < 0 || WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(Momentum), "Momentum and weight decay must be >= 0.");
        if (Nesterov && Momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum above 0.");
        var g = DecayTerm(pack, parameters, WeightDecay) is { } decay ? gradient + decay : gradient;
        var direction = g;
        if (Momentum != 0)
        {
            var buffer = State(graph, pack, "momentum_buffer");
            var next = buffer * Momentum + g;
            graph.Update(buffer, next);
            direction = Nesterov ? g + next * Momentum : next;
        }
        return parameters - learningRate * direction;
    }
}

/// <summary>
/// Adam with decoupled weight decay, as <c>torch.optim.AdamW</c> (amsgrad off):
/// p ← p(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// The moments are "prefix.exp_avg" and "prefix.exp_avg_sq"; the step t is a scalar state
/// ("prefix.step") advanced in the graph; βᵗ is computed as exp(t·ln β).
/// </summary>
/// <param name="Beta1">β₁, decay of the first moment.</param>
/// <param name="Beta2">β₂, decay of the second moment.</param>
/// <param name="Eps">ε, added to the denominator.</param>
/// <param name="WeightDecay">λ, decoupled (applied to the parameter, scaled by lr).</param>
public sealed record AdamW(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0.01) : Optimizer
{
    /// <summary>Name of the step counter state for a prefix.</summary>
    public static string StepName(string prefix = "optim") => prefix + ".step";

    /// <inheritdoc/>
    protected override Tensor Build(Graph graph, ParameterPack pack, Tensor parameters, Tensor gradient, Tensor learningRate)
    {
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), "Betas must be in [0, 1).");
        if (Eps <= 0 || WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(Eps), "Eps must be > 0 and weight decay >= 0.");
        var step = graph.State(StepName(StatePrefix), Shape.Scalar, pack.DType);
        var t = step + 1.0;
        graph.Update(step, t);

        // 1 - β^t with β^t = exp(t·ln β) (β = 0 means no averaging: the correction is 1).
        Tensor Correction(double beta) => beta == 0 ? learningRate.Scalar(1) : 1.0 - Ops.Exp(t * Math.Log(beta));
        var stepSize = learningRate / Correction(Beta1);
        var sqrtCorrection2 = Ops.Sqrt(Correction(Beta2));

        var (p, g) = (parameters, gradient);
        var m = State(graph, pack, "exp_avg");
        var v = State(graph, pack, "exp_avg_sq");
        var m1 = m * Beta1 + g * (1 - Beta1);
        var v1 = v * Beta2 + g * g * (1 - Beta2);
        graph.Update(m, m1);
        graph.Update(v, v1);
        var denominator = Ops.Sqrt(v1) / sqrtCorrection2 + Eps;
        return Decayed(pack, p, learningRate) - stepSize * m1 / denominator;
    }

    /// <summary>p·(1 − lr·λ) where the parameter decays, p elsewhere.</summary>
    Tensor Decayed(ParameterPack pack, Tensor p, Tensor learningRate)
    {
        var decays = DecayFlags(pack);
        if (WeightDecay == 0 || !decays.Contains(true)) return p;
        var factor = 1.0 - learningRate * WeightDecay;
        if (!decays.Contains(false)) return p * factor;
        // 1 + (f − 1)·mask is exactly f on the mask (Sterbenz: f ≥ 1/2) and exactly 1 off it.
        return p * (1.0 + (factor - 1.0) * pack.Mask(decays));
    }
}
