using Dsl.Bench.Rows;
using Dsl.Execution;
using Dsl.Models.Training;

namespace Dsl.Bench.Measure;

/// <summary>
/// A backend that compiles nothing and only keeps the persistent values it is given: a
/// <see cref="Trainer"/> on it builds the real step graph and initial values without allocating
/// anything in libtorch, so the reference (and its peak memory) starts from exactly what the DSL
/// trainer starts from.
/// </summary>
sealed class PlanBackend : IBackend
{
    public string Name => "plan";

    public ICompiledGraph Compile(Graph graph) => new PlanGraph(graph);

    /// <summary>The step graph and initial values of a row, as its trainer builds them.</summary>
    public static ReferenceSetup Plan(Row row)
    {
        using var trainer = new Trainer(new PlanBackend(), row.Task(), row.Options);
        return new ReferenceSetup(trainer.StepGraph, trainer.ModelValues(), row.Options);
    }

    sealed class PlanGraph(Graph graph) : ICompiledGraph
    {
        readonly Dictionary<string, HostTensor> values = [];

        public Graph Graph => graph;

        public void SetPersistent(string name, HostTensor value)
        {
            CompiledGraphContract.CheckAssignable(CompiledGraphContract.Persistent(graph, name), value);
            values[name] = value;
        }

        public HostTensor GetPersistent(string name) => values.TryGetValue(name, out var v) ? v
            : HostTensor.Filled(CompiledGraphContract.Persistent(graph, name).Shape, graph[name].DType, 0);

        public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs) =>
            throw new NotSupportedException("A plan only builds the step graph; it does not run it.");

        public void Dispose() { }
    }
}
