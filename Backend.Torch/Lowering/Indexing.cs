using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterIndexing(Dictionary<Type, Kernel> t)
    {
        Add<GatherOp>(t, (op, x) => x[0].index_select(op.Axis, x[1]));
        Add<IndexAddOp>(t, (op, x) =>
            torch.zeros(op.Shape.ToLongArray(), x[0].dtype, x[0].device).index_add_(op.Axis, x[1], x[0], One));
        Add<TakeAlongAxisOp>(t, (op, x) => x[0].gather(op.Axis, x[1]));
        Add<ScatterAddOp>(t, (op, x) =>
            torch.zeros(op.Shape.ToLongArray(), x[0].dtype, x[0].device).scatter_add_(op.Axis, x[1], x[0]));
        Add<ArgsortOp>(t, (op, x) => x[0].argsort(op.Axis, op.Descending));
        AddMulti<TopKOp>(t, (op, x, _) =>
        {
            var (values, indices) = x[0].topk(op.K, dim: -1, largest: true, sorted: true);
            return [values, indices];
        });
    }
}
