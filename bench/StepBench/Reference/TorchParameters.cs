using Dsl.Bench.Rows;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using TorchAdamW = TorchSharp.Modules.AdamW;
using TorchSgd = TorchSharp.Modules.SGD;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>
/// The reference's tensors, by the DSL's names: every parameter (a leaf that requires grad) and
/// buffer of the step graph, from the same initial values; and the torch.optim optimizer and
/// gradient clipping that match the trainer options.
/// </summary>
sealed class TorchParameters : IDisposable
{
    readonly Dictionary<string, TT> byName = [];
    readonly List<(string Name, Parameter Value, bool Decays)> trained = [];

    public TorchParameters(ReferenceSetup setup)
    {
        foreach (var v in setup.StepGraph.Persistent.Where(p => p.Kind != ValueKind.State))
        {
            var name = v.Name!;
            if (!setup.Init.TryGetValue(name, out var host))
                throw new KeyNotFoundException($"No initial value for '{name}' in the plan.");
            var tensor = Host.ToTorch(host);
            if (v.Kind == ValueKind.Parameter)
            {
                var p = new Parameter(tensor, requires_grad: true);
                byName[name] = p;
                trained.Add((name, p, setup.Options.Optimizer.DecayFilter?.Invoke(v) ?? true));
            }
            else byName[name] = tensor;
        }
    }

    public TT this[string name] => byName.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"The step graph has no parameter or buffer '{name}'; it has: {string.Join(", ", byName.Keys.Take(40))}");

    public bool Has(string name) => byName.ContainsKey(name);

    /// <summary>
    /// torch.optim.AdamW (or SGD) with the DSL optimizer's settings; parameters its decay filter
    /// exempts form a second group without weight decay. The schedule must be constant.
    /// </summary>
    public torch.optim.Optimizer CreateOptimizer(TrainerOptions options)
    {
        if (options.Schedule is not ConstantSchedule constant)
            throw new NotSupportedException("The references take a constant learning rate.");
        double lr = constant.Rate;
        IEnumerable<Parameter> Group(bool decays) => trained.Where(p => p.Decays == decays).Select(p => p.Value);
        return options.Optimizer switch
        {
            Models.Training.AdamW a => torch.optim.AdamW(
                [new TorchAdamW.ParamGroup(Group(true), lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay), new TorchAdamW.ParamGroup(Group(false), lr, a.Beta1, a.Beta2, a.Eps, 0)],
                lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay),
            Sgd s => torch.optim.SGD(
                [new TorchSgd.ParamGroup(Group(true), lr, s.Momentum, 0, s.WeightDecay, s.Nesterov), new TorchSgd.ParamGroup(Group(false), lr, s.Momentum, 0, 0, s.Nesterov)],
                lr, s.Momentum, 0, s.WeightDecay, s.Nesterov),
            var other => throw new NotSupportedException($"The references implement AdamW and SGD, not {other.GetType().Name}."),
        };
    }

    /// <summary>
    /// clip_grad_norm_ as the trainer clips: the model's gradients by their global norm and an
    /// online probe's (an auxiliary head) by its own. Returns the model's norm before clipping.
    /// </summary>
    public TT? ClipGradients(double? maxNorm)
    {
        if (maxNorm is not double max) return null;
        static bool Auxiliary(string name) => name.StartsWith(TwoViewTask.ProbePrefix + ".", StringComparison.Ordinal);
        var auxiliary = trained.Where(p => Auxiliary(p.Name)).Select(p => p.Value).ToArray();
        if (auxiliary.Length > 0) torch.nn.utils.clip_grad_norm_(auxiliary, max);
        return torch.nn.utils.clip_grad_norm_(trained.Where(p => !Auxiliary(p.Name)).Select(p => p.Value), max);
    }

    public void Dispose()
    {
        foreach (var t in byName.Values) t.Dispose();
    }
}
