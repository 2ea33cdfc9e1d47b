using Dsl.Execution;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch;

/// <summary>Conversions between <see cref="HostTensor"/>/<see cref="DType"/> and TorchSharp.</summary>
public static class HostConversion
{
    /// <summary>The TorchSharp scalar type of a DSL dtype.</summary>
    public static torch.ScalarType ToTorch(this DType t) => t switch
    {
        DType.Float32 => torch.ScalarType.Float32,
        DType.Float64 => torch.ScalarType.Float64,
        DType.Int64 => torch.ScalarType.Int64,
        DType.BFloat16 => torch.ScalarType.BFloat16,
        DType.Float16 => torch.ScalarType.Float16,
        _ => throw new NotSupportedException($"No TorchSharp type for {t}."),
    };

    /// <summary>Copies host data to a new torch tensor on a device.</summary>
    public static TT ToTorch(this HostTensor h, torch.Device device)
    {
        var shape = h.Shape.ToLongArray();
        TT cpu = h.Data switch
        {
            float[] f => torch.tensor(f, shape),
            double[] d => torch.tensor(d, shape),
            long[] l => torch.tensor(l, shape),
            _ => throw new NotSupportedException($"Cannot convert {h}."),
        };
        if (device.type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device);
    }

    /// <summary>Copies a torch tensor to host data of the given dtype.</summary>
    public static HostTensor ToHost(this TT t, DType dtype)
    {
        var shape = new Shape(t.shape.Select(d => (int)d).ToArray());
        using var cpu = t.device_type == DeviceType.CPU ? t.alias() : t.cpu();
        using var typed = cpu.to_type(dtype.ToTorch());
        using var c = typed.contiguous();
        return dtype switch
        {
            DType.Float32 => HostTensor.F32(shape, c.data<float>().ToArray()),
            DType.Float64 => HostTensor.F64(shape, c.data<double>().ToArray()),
            DType.Int64 => HostTensor.I64(shape, c.data<long>().ToArray()),
            _ => throw new NotSupportedException($"Cannot read {dtype} back to the host yet."),
        };
    }
}
