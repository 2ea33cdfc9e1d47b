using Dsl.Generator.Helpers;

namespace Dsl.Generator.Model;

/// <summary>Everything the emitter needs about one [Model] class (no symbols or syntax kept).</summary>
internal sealed record ModelInfo(
    string? Namespace,
    string Name,
    string Accessibility,
    EquatableArray<FieldInfo> Fields,
    MethodInfo Forward,
    EquatableArray<MethodInfo> Helpers,
    EquatableArray<string> Usings,
    string FileHint,
    bool HasTrainingProperty)
{
    /// <summary>One Tensor in, one Tensor out: the model implements the typed <c>Dsl.IModule</c>.</summary>
    public bool IsModule => Forward.Parameters.Length == 1 && Forward.Parameters[0].IsTensor && Forward.Outputs == 1;
}

/// <summary>What a field holds.</summary>
internal enum FieldKind { Parameter, Buffer, Module, ModuleList }

/// <summary>A registered field: its C# name, PyTorch name, kind and initialiser.</summary>
internal sealed record FieldInfo(string Name, string TorchName, FieldKind Kind, string Init);

/// <summary>A parameter of a forward or helper method.</summary>
internal sealed record ParamInfo(Local Variable, string TypeText, bool IsTensor);

/// <summary>The forward method or a [Differentiable] helper, lowered to three-address instructions.</summary>
internal sealed record MethodInfo(
    string Name,
    string Accessibility,
    EquatableArray<ParamInfo> Parameters,
    int Outputs,
    string ReturnTypeText,
    EquatableArray<Local> TensorLocals,
    EquatableArray<Instr> Body,
    int Line)
{
    public int TensorParameterCount
    {
        get
        {
            int n = 0;
            foreach (var p in Parameters) if (p.IsTensor) n++;
            return n;
        }
    }
}
