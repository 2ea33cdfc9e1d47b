namespace Dsl;

/// <summary>Parameter and buffer initialisers (seeded; PyTorch's definitions of fan-in/fan-out).</summary>
public enum Init
{
    /// <summary>All zeros.</summary>
    Zeros,
    /// <summary>All ones.</summary>
    Ones,
    /// <summary>Glorot/Xavier uniform, bound √(6/(fan_in+fan_out)).</summary>
    XavierUniform,
    /// <summary>Glorot/Xavier normal, std √(2/(fan_in+fan_out)).</summary>
    XavierNormal,
    /// <summary>He/Kaiming uniform for ReLU, bound √(6/fan_in).</summary>
    KaimingUniform,
    /// <summary>He/Kaiming normal for ReLU, std √(2/fan_in).</summary>
    KaimingNormal,
    /// <summary>PyTorch's nn.Linear / nn.Conv2d default: Kaiming uniform with a=√5, bound 1/√fan_in.</summary>
    TorchDefault,
    /// <summary>Normal with std 0.02 (ViT/BERT convention).</summary>
    Normal,
    /// <summary>Normal with std 0.02 truncated to ±2 std (timm's trunc_normal_).</summary>
    TruncatedNormal,
}
