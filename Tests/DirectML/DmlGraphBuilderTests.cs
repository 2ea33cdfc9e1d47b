using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The first slice of the DirectML lowering: a Dsl graph becomes a native DML_GRAPH_DESC, which
/// the reference interpreter executes reading only the native structs, and the results match
/// Backend.Torch running the same Dsl graph.
/// </summary>
public unsafe class DmlGraphBuilderTests
{
    static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["x"] = new Shape(4, 8),
        ["w1"] = new Shape(8, 16),
        ["b1"] = new Shape(16),
        ["w2"] = new Shape(16, 3),
        ["b2"] = new Shape(3),
        ["w3"] = new Shape(5, 16),
    };

    /// <summary>x @ W1 + b1 → relu → @ W2 + b2, an exp branch (sub, mul) and a transposed GEMM.</summary>
    static Graph Mlp()
    {
        var g = new Graph("mlp");
        var x = g.Input("x", Shapes["x"]);
        var w1 = g.Parameter("w1", Shapes["w1"]);
        var b1 = g.Parameter("b1", Shapes["b1"]);
        var w2 = g.Parameter("w2", Shapes["w2"]);
        var b2 = g.Parameter("b2", Shapes["b2"]);
        var w3 = g.Parameter("w3", Shapes["w3"]);
        var h = Ops.Relu(Ops.MatMul(x, w1) + b1);
        var y = Ops.MatMul(h, w2) + b2;
        g.Output("y", y);
        g.Output("e", Ops.Exp(y - b2) * y);
        g.Output("z", Ops.MatMul(h, w3, transposeB: true));
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(1234);
        return Shapes.ToDictionary(kv => kv.Key, kv => Enumerable.Range(0, (int)kv.Value.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
    }

    [Fact]
    public void Mlp_forward_through_the_native_graph_matches_Torch()
    {
        var feeds = Feeds();

        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Mlp(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        var torchGraph = Mlp();
        using var compiled = new TorchBackend().Compile(torchGraph);
        foreach (var p in torchGraph.Parameters)
            compiled.SetPersistent(p.Name!, HostTensor.F32(p.Shape, feeds[p.Name!]));
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(Shapes["x"], feeds["x"]) });

        built.Outputs.Select(o => o.Name).ShouldBe(["y", "e", "z"]);
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
        outputs[0].Any(v => v != 0).ShouldBeTrue();
    }

    [Fact]
    public void The_native_description_has_the_expected_nodes_edges_and_tensors()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Mlp(), operators.Create);
        var g = built.Desc;

        // matmul, add, relu, matmul, add, sub, exp, mul, matmul
        g->NodeCount.ShouldBe(9u);
        operators.Count.ShouldBe(9);
        g->InputCount.ShouldBe(6u);
        g->OutputCount.ShouldBe(3u);
        built.Inputs.Select(v => v.Name).ShouldBe(["x", "w1", "b1", "w2", "b2", "w3"]);
        g->InputEdgeCount.ShouldBe(7u);          // x, w1, b1, w2, b2 (twice: + b2 and y - b2), w3
        g->IntermediateEdgeCount.ShouldBe(9u);     // one per node input fed by a node
        g->OutputEdgeCount.ShouldBe(3u);

        var types = Enumerable.Range(0, (int)g->NodeCount).Select(i => operators.Resolve(((DML_OPERATOR_GRAPH_NODE_DESC*)g->Nodes[i].Desc)->Operator)->Type).ToArray();
        types.ShouldBe([
            DML_OPERATOR_TYPE.DML_OPERATOR_GEMM, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_RELU,
            DML_OPERATOR_TYPE.DML_OPERATOR_GEMM, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_SUBTRACT,
            DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_EXP, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_TYPE.DML_OPERATOR_GEMM]);

        // x @ W1: packed 4-D tensors, no strides, transforms none.
        var gemm = (DML_GEMM_OPERATOR_DESC*)built.OperatorDesc(0)->Desc;
        Buffer(gemm->ATensor, out var a);
        Sizes(a).ShouldBe([1u, 1u, 4u, 8u]);
        (a->Strides == null).ShouldBeTrue();
        a->TotalTensorSizeInBytes.ShouldBe(4ul * 8 * 4);
        a->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32);
        (gemm->CTensor == null).ShouldBeTrue();
        (gemm->FusedActivation == null).ShouldBeTrue();
        gemm->TransA.ShouldBe(DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_NONE);
        gemm->Alpha.ShouldBe(1f);
        gemm->Beta.ShouldBe(0f);

        // + b1: b1[16] read as [4,16] through zero strides; its buffer stays 16 floats.
        var add = (DML_ELEMENT_WISE_ADD_OPERATOR_DESC*)built.OperatorDesc(1)->Desc;
        Buffer(add->BTensor, out var b);
        Sizes(b).ShouldBe([1u, 1u, 4u, 16u]);
        new ReadOnlySpan<uint>(b->Strides, 4).ToArray().ShouldBe([0u, 0u, 0u, 1u]);
        b->TotalTensorSizeInBytes.ShouldBe(16ul * 4);
        Buffer(add->OutputTensor, out var sum);
        (sum->Strides == null).ShouldBeTrue();
        sum->TotalTensorSizeInBytes.ShouldBe(4ul * 16 * 4);

        // exp without scale-bias; the transposed GEMM's B keeps its stored sizes.
        (((DML_ELEMENT_WISE_EXP_OPERATOR_DESC*)built.OperatorDesc(6)->Desc)->ScaleBias == null).ShouldBeTrue();
        var gemmT = (DML_GEMM_OPERATOR_DESC*)built.OperatorDesc(8)->Desc;
        gemmT->TransB.ShouldBe(DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE);
        Buffer(gemmT->BTensor, out var w3);
        Sizes(w3).ShouldBe([1u, 1u, 5u, 16u]);

        built.NativeBytes.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void The_interpreter_rejects_what_DirectML_would_reject()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Mlp(), operators.Create);
        float[][] Inputs() => built.Inputs.Select(v => feeds[v.Name!]).ToArray();

        // A graph input buffer smaller than its tensor.
        var shortInputs = Inputs();
        shortInputs[built.Inputs.ToList().FindIndex(v => v.Name == "b1")] = new float[15];
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, shortInputs)).Message.ShouldContain("buffer holds 60 bytes");

        // A TotalTensorSizeInBytes below what the sizes and strides reach (read back through the pointers).
        var add = (DML_ELEMENT_WISE_ADD_OPERATOR_DESC*)built.OperatorDesc(1)->Desc;
        var b = (DML_BUFFER_TENSOR_DESC*)add->BTensor->Desc;
        b->TotalTensorSizeInBytes = 60;
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, Inputs())).Message.ShouldContain("TotalTensorSizeInBytes 60 < 64");
        b->TotalTensorSizeInBytes = 64;

        // An operator pointer this device did not create.
        var node = (DML_OPERATOR_GRAPH_NODE_DESC*)built.Desc->Nodes[0].Desc;
        var op = node->Operator;
        node->Operator = (void*)0x10;
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, Inputs())).Message.ShouldContain("not an operator this device created");
        node->Operator = op;
        DmlGraphInterpreter.Execute(built.Desc, operators, Inputs()).Length.ShouldBe(3);
    }

    [Fact]
    public void Disposing_the_built_graph_releases_its_description()
    {
        using var operators = new ReferenceOperators();
        var built = DmlGraphBuilder.Build(Mlp(), operators.Create);
        built.Dispose();
        Should.Throw<ObjectDisposedException>(() => { _ = built.Desc; });
        built.Dispose();
    }

    [Fact]
    public void An_op_without_a_lowering_names_the_op_and_the_fix()
    {
        // Every catalogue op is lowered; a user-defined op (the generator's custom-op test model) is not.
        var g = new Graph("outside");
        var x = g.Input("x", new Shape(2, 3));
        g.Output("y", Ops.Relu(g.Apply(new Dsl.Tests.Generator.Models.CubeOp(), x)[0]));
        using var operators = new ReferenceOperators();
        var message = Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create)).Message;
        message.ShouldContain("(CubeOp, declared outside Dsl)");
        message.ShouldContain("derive it from Dsl.DecomposableOp");
        operators.Count.ShouldBe(0);
    }

    [Fact]
    public void Non_float32_is_refused_clearly()
    {
        using var operators = new ReferenceOperators();

        var h = new Graph("f64");
        h.Output("y", Ops.Exp(h.Input("x", new Shape(3), DType.Float64)));
        Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(h, operators.Create)).Message.ShouldContain("float32 only");
    }

    static void Buffer(DML_TENSOR_DESC* tensor, out DML_BUFFER_TENSOR_DESC* buffer)
    {
        tensor->Type.ShouldBe(DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER);
        buffer = (DML_BUFFER_TENSOR_DESC*)tensor->Desc;
        buffer->DimensionCount.ShouldBe(4u);
    }

    static uint[] Sizes(DML_BUFFER_TENSOR_DESC* buffer) => new ReadOnlySpan<uint>(buffer->Sizes, (int)buffer->DimensionCount).ToArray();
}
