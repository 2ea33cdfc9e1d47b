namespace Dsl.Execution;

/// <summary>
/// A device that compiles a <see cref="Graph"/> once and runs it many times. Models and the
/// trainer reach a backend only through this interface, so the command line picks the device.
/// </summary>
public interface IBackend
{
    /// <summary>Human-readable device name (e.g. "torch:cpu").</summary>
    string Name { get; }

    /// <summary>Compiles a graph. Persistent values start as zeros until set.</summary>
    ICompiledGraph Compile(Graph graph);
}

/// <summary>A compiled graph: owns persistent values on the device and runs steps.</summary>
public interface ICompiledGraph : IDisposable
{
    /// <summary>The graph this was compiled from (after passes).</summary>
    Graph Graph { get; }

    /// <summary>Copies a host value into a persistent value (parameter, buffer or state).</summary>
    void SetPersistent(string name, HostTensor value);

    /// <summary>Copies a persistent value back to the host.</summary>
    HostTensor GetPersistent(string name);

    /// <summary>
    /// Runs the graph once: feeds every input by name, returns every output by name and applies
    /// the graph's persistent updates in place.
    /// </summary>
    IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs);
}
