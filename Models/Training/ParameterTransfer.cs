using Dsl.Execution;
namespace Dsl.Models.Training;

/// <summary>
/// Moves parameter values between the host and compiled graphs, and between two compiled graphs
/// that share parameter names (a training step graph and an evaluation graph).
/// </summary>
public static class ParameterTransfer
{
    /// <summary>Sets every given value in <paramref name="target"/> by name.</summary>
    public static void Load(ICompiledGraph target, IReadOnlyDictionary<string, HostTensor> values)
    {
        foreach (var (name, value) in values) target.SetPersistent(name, value);
    }

    /// <summary>
    /// Copies the parameters and buffers of <paramref name="target"/>'s graph from
    /// <paramref name="source"/> (by name; optimizer state is not copied).
    /// </summary>
    public static void Copy(ICompiledGraph source, ICompiledGraph target)
    {
        foreach (var v in target.Graph.Persistent.Where(v => v.Kind is ValueKind.Parameter or ValueKind.Buffer))
        {
            if (!source.Graph.Contains(v.Name!))
                throw new KeyNotFoundException($"Graph '{source.Graph.Name}' has no value named '{v.Name}' to copy into '{target.Graph.Name}'.");
            target.SetPersistent(v.Name!, source.GetPersistent(v.Name!));
        }
    }

    /// <summary>The parameters of a compiled graph on the host, by name.</summary>
    public static Dictionary<string, HostTensor> Save(ICompiledGraph source) =>
        source.Graph.Parameters.ToDictionary(p => p.Name!, p => source.GetPersistent(p.Name!));
}
