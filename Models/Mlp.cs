using Dsl.Models.Training;

namespace Dsl.Models;

/// <summary>Nonlinearity between the layers of an <see cref="Mlp"/>.</summary>
public enum Activation
{
    /// <summary>Exact (erf) GELU.</summary>
    Gelu,
    /// <summary>ReLU.</summary>
    Relu,
}

/// <summary>
/// A two-layer perceptron classifier for flattened images: inputs → hidden → classes, with
/// parameters named as PyTorch's <c>nn.Linear</c> layers <c>fc1</c>, <c>fc2</c>
/// (<c>fc1.weight</c> is [hidden, inputs]). Builds training-step and evaluation graphs that share
/// those names, so parameters copy between their compiled forms.
/// </summary>
public sealed class Mlp
{
    /// <summary>Name of the f32 [B, inputs] image input.</summary>
    public const string ImagesInput = "x";
    /// <summary>Name of the i64 [B] label input.</summary>
    public const string LabelsInput = "y";
    /// <summary>Name of the mean cross-entropy output.</summary>
    public const string LossOutput = "loss";
    /// <summary>Name of the batch accuracy output (fraction of correct top-1 predictions).</summary>
    public const string AccuracyOutput = "accuracy";
    /// <summary>Name of the [B, classes] logits output of evaluation graphs.</summary>
    public const string LogitsOutput = "logits";

    /// <summary>Describes the network; no graph is built yet.</summary>
    public Mlp(int hidden = 256, Activation activation = Activation.Gelu, int inputs = 28 * 28, int classes = 10)
    {
        if (hidden <= 0 || inputs <= 0 || classes <= 1)
            throw new ArgumentOutOfRangeException(nameof(hidden), $"An MLP needs hidden > 0, inputs > 0 and classes > 1; got {hidden}, {inputs}, {classes}.");
        Hidden = hidden;
        Activation = activation;
        Inputs = inputs;
        Classes = classes;
    }

    /// <summary>Input features (784 for 28×28 images).</summary>
    public int Inputs { get; }
    /// <summary>Hidden width.</summary>
    public int Hidden { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>Nonlinearity after the first layer.</summary>
    public Activation Activation { get; }

    /// <summary>Parameter names and shapes, in declaration order.</summary>
    public IReadOnlyList<(string Name, Shape Shape)> ParameterShapes =>
    [
        ("fc1.weight", new Shape(Hidden, Inputs)),
        ("fc1.bias", new Shape(Hidden)),
        ("fc2.weight", new Shape(Classes, Hidden)),
        ("fc2.bias", new Shape(Classes)),
    ];

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount => ParameterShapes.Sum(p => p.Shape.Numel);

    /// <summary>
    /// Initial parameters as PyTorch's <c>nn.Linear</c> default: weights Kaiming uniform with
    /// a = √5 (bound 1/√fan_in), biases uniform in ±1/√fan_in; drawn in declaration order from
    /// <c>new Random(seed)</c>.
    /// </summary>
    public Dictionary<string, HostTensor> InitialParameters(int seed)
    {
        var rng = new Random(seed);
        var result = new Dictionary<string, HostTensor>();
        foreach (var (name, shape) in ParameterShapes)
        {
            if (name.EndsWith(".weight", StringComparison.Ordinal))
                result[name] = Initializers.KaimingUniform(shape, rng, a: Math.Sqrt(5));
            else
            {
                var weight = ParameterShapes.Single(p => p.Name == name[..^".bias".Length] + ".weight").Shape;
                result[name] = Initializers.Uniform(shape, 1 / Math.Sqrt(Initializers.Fans(weight).FanIn), rng);
            }
        }
        return result;
    }

    /// <summary>Declares the parameters in <paramref name="graph"/>, in declaration order.</summary>
    public IReadOnlyList<Tensor> DeclareParameters(Graph graph) =>
        ParameterShapes.Select(p => graph.Parameter(p.Name, p.Shape)).ToArray();

    /// <summary>Logits [B, classes] of images [B, inputs], reading the parameters declared in <paramref name="x"/>'s graph.</summary>
    public Tensor Forward(Tensor x)
    {
        var g = x.Graph;
        if (x.Rank != 2 || x.Shape[1] != Inputs || x.DType != DType.Float32)
            throw new ShapeException($"Mlp expects f32[B,{Inputs}] images, got {x.Type}.");
        Tensor h;
        using (g.Scope("fc1")) h = Ops.Linear(x, g["fc1.weight"], g["fc1.bias"]);
        using (g.Scope("act")) h = Activation == Activation.Gelu ? Ops.Gelu(h) : Ops.Relu(h);
        using (g.Scope("fc2")) return Ops.Linear(h, g["fc2.weight"], g["fc2.bias"]);
    }

    /// <summary>Fraction of rows whose label's logit is the row maximum (ties count as correct).</summary>
    public static Tensor Accuracy(Tensor logits, Tensor labels)
    {
        var picked = Ops.TakeAlongAxis(logits, Ops.Reshape(labels, labels.Shape[0], 1), 1);
        var correct = Ops.Equal(Ops.Max(logits, 1, keepDims: true), picked);
        return Ops.Mean(correct);
    }

    /// <summary>
    /// One training step as a graph: inputs <c>x</c> f32[B, inputs], <c>y</c> i64[B], <c>lr</c> f32[];
    /// outputs <c>loss</c> (mean cross-entropy before the update) and <c>accuracy</c>; the gradients
    /// come from <see cref="Autodiff.Gradients(Tensor, IReadOnlyList{Tensor}, Tensor?, bool)"/> and the optimizer (AdamW by default) updates the
    /// parameters and its state in place.
    /// </summary>
    public Graph BuildTrainStep(int batchSize, Optimizer? optimizer = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        optimizer ??= new AdamW();
        var graph = new Graph("mlp_train_step");
        var x = graph.Input(ImagesInput, new Shape(batchSize, Inputs));
        var y = graph.Input(LabelsInput, new Shape(batchSize), DType.Int64);
        var lr = Optimizer.DeclareLearningRate(graph);
        var parameters = DeclareParameters(graph);

        var logits = Forward(x);
        Tensor loss, accuracy;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, y);
        using (graph.Scope("metrics")) accuracy = Accuracy(logits, y);
        graph.Output(LossOutput, loss);
        graph.Output(AccuracyOutput, accuracy);

        var gradients = Autodiff.Gradients(loss, parameters);
        optimizer.AddUpdates(graph, parameters, gradients, lr);
        return graph;
    }

    /// <summary>
    /// Evaluation of one batch: inputs <c>x</c>, <c>y</c>; outputs <c>logits</c>, <c>loss</c> and
    /// <c>accuracy</c>; no updates. Parameters have the same names as in the training step.
    /// </summary>
    public Graph BuildEval(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        var graph = new Graph("mlp_eval");
        var x = graph.Input(ImagesInput, new Shape(batchSize, Inputs));
        var y = graph.Input(LabelsInput, new Shape(batchSize), DType.Int64);
        DeclareParameters(graph);
        var logits = Forward(x);
        graph.Output(LogitsOutput, logits);
        using (graph.Scope("loss")) graph.Output(LossOutput, Ops.CrossEntropy(logits, y));
        using (graph.Scope("metrics")) graph.Output(AccuracyOutput, Accuracy(logits, y));
        return graph;
    }
}
