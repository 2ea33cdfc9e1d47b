namespace Dsl.Models.Training;

/// <summary>
/// An optimizer written as graph ops: given the parameters and their gradients, it declares its
/// state with <see cref="Graph.State"/> and adds <see cref="Graph.Update"/>s for the parameters and
/// the state, so one run of the compiled step graph is one optimizer step. The learning rate is a
/// graph input (<see cref="LearningRateInput"/>), so schedules need no recompilation.
/// </summary>
public abstract record Optimizer
{
    /// <summary>Name of the scalar f32 learning-rate input of step graphs.</summary>
    public const string LearningRateInput = "lr";

    /// <summary>Prefix of the names of the optimizer's state values (e.g. "optim.fc1.weight.exp_avg").</summary>
    public string StatePrefix { get; init; } = "optim";

    /// <summary>
    /// Which parameters get weight decay (and, for LARS/LAMB, trust-ratio adaptation); null means all.
    /// <see cref="ExcludeBiasAndNorm"/> is the MAE/SimCLR/Barlow Twins convention.
    /// </summary>
    public Func<Tensor, bool>? DecayFilter { get; init; }

    /// <summary>Decay only tensors of rank ≥ 2: biases and normalisation weights (rank 1) are exempt.</summary>
    public static bool ExcludeBiasAndNorm(Tensor parameter) => parameter.Rank >= 2;

    /// <summary>True if weight decay applies to <paramref name="parameter"/>.</summary>
    protected bool Decays(Tensor parameter) => DecayFilter?.Invoke(parameter) ?? true;

    /// <summary>Declares the learning-rate input, a scalar f32 named <see cref="LearningRateInput"/>.</summary>
    public static Tensor DeclareLearningRate(Graph graph) => graph.Input(LearningRateInput, Shape.Scalar);

    /// <summary>
    /// Adds the updates of one optimizer step to <paramref name="graph"/>: every parameter i
    /// takes a new value computed from <paramref name="gradients"/>[i], and the state advances.
    /// </summary>
    /// <param name="graph">The step graph holding parameters and gradients.</param>
    /// <param name="parameters">Trainable values (named persistent tensors), in a fixed order.</param>
    /// <param name="gradients">d(loss)/d(parameter), one per parameter, same types.</param>
    /// <param name="learningRate">A scalar of the parameters' dtype, usually from <see cref="DeclareLearningRate"/>.</param>
    public void AddUpdates(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate)
    {
        if (parameters.Count != gradients.Count)
            throw new ArgumentException($"{parameters.Count} parameters but {gradients.Count} gradients.");
        if (learningRate.Rank != 0)
            throw new ShapeException($"The learning rate must be a scalar, got {learningRate.Type}.");
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], gradients[i]);
            if (!p.IsPersistent || p.Name is null)
                throw new ArgumentException($"{p} is not a named parameter: the optimizer can only update persistent values.");
            if (p.Type != g.Type)
                throw new ShapeException($"Gradient of {p.Ref} is {g.Type} but the parameter is {p.Type}.");
            if (p.DType != learningRate.DType)
                throw new ShapeException($"Parameter {p.Ref} is {p.Type} but the learning rate is {learningRate.Type}.");
        }
        using (graph.Scope(StatePrefix))
            Build(graph, parameters, gradients, learningRate);
    }

    /// <summary>Adds the updates (arguments already checked).</summary>
    protected abstract void Build(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate);

    /// <summary>Declares a state value shaped like <paramref name="parameter"/>, named "prefix.parameter.suffix".</summary>
    protected Tensor StateFor(Graph graph, Tensor parameter, string suffix) =>
        graph.State($"{StatePrefix}.{parameter.Name}.{suffix}", parameter.Shape, parameter.DType);
}

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// as <c>torch.optim.SGD</c> with dampening 0:
/// g ← g + λp; b ← μb + g; p ← p − lr·(nesterov ? g + μb : b).
/// The momentum buffer starts at zero, which equals PyTorch's first step b = g.
/// </summary>
/// <param name="Momentum">μ; 0 disables the buffer (no state).</param>
/// <param name="WeightDecay">λ, added to the gradient (coupled L2).</param>
/// <param name="Nesterov">Use Nesterov momentum (needs μ &gt; 0).</param>
public sealed record Sgd(double Momentum = 0.9, double WeightDecay = 0, bool Nesterov = false) : Optimizer
{
    /// <inheritdoc/>
    protected override void Build(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate)
    {
        if (Momentum < 0 || WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(Momentum), "Momentum and weight decay must be >= 0.");
        if (Nesterov && Momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum above 0.");
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], gradients[i]);
            if (WeightDecay != 0 && Decays(p)) g = g + p * WeightDecay;
            var direction = g;
            if (Momentum != 0)
            {
                var buffer = StateFor(graph, p, "momentum_buffer");
                var next = buffer * Momentum + g;
                graph.Update(buffer, next);
                direction = Nesterov ? g + next * Momentum : next;
            }
            graph.Update(p, p - learningRate * direction);
        }
    }
}

/// <summary>
/// Adam with decoupled weight decay, as <c>torch.optim.AdamW</c> (amsgrad off):
/// p ← p(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// The step t is a scalar f32 state ("prefix.step") advanced in the graph; βᵗ is computed as
/// exp(t·ln β).
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
    protected override void Build(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate)
    {
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), "Betas must be in [0, 1).");
        if (Eps <= 0 || WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(Eps), "Eps must be > 0 and weight decay >= 0.");
        var dtype = learningRate.DType;
        var step = graph.State(StepName(StatePrefix), Shape.Scalar, dtype);
        var t = step + 1.0;
        graph.Update(step, t);

        // 1 - β^t with β^t = exp(t·ln β) (β = 0 means no averaging: the correction is 1).
        Tensor Correction(double beta) => beta == 0 ? learningRate.Scalar(1) : 1.0 - Ops.Exp(t * Math.Log(beta));
        var stepSize = learningRate / Correction(Beta1);
        var sqrtCorrection2 = Ops.Sqrt(Correction(Beta2));
        var decay = WeightDecay == 0 ? null : 1.0 - learningRate * WeightDecay;

        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], gradients[i]);
            var m = StateFor(graph, p, "exp_avg");
            var v = StateFor(graph, p, "exp_avg_sq");
            var m1 = m * Beta1 + g * (1 - Beta1);
            var v1 = v * Beta2 + g * g * (1 - Beta2);
            graph.Update(m, m1);
            graph.Update(v, v1);
            var denominator = Ops.Sqrt(v1) / sqrtCorrection2 + Eps;
            var decayed = decay is null || !Decays(p) ? p : p * decay;
            graph.Update(p, decayed - stepSize * m1 / denominator);
        }
    }
}
