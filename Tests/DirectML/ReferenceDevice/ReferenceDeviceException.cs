namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// What the reference device throws where real D3D12/DirectML would fail a call. The HRESULT is
/// what crosses the COM boundary (the message cannot); <see cref="ReferenceGpu.Errors"/> keeps
/// the message for tests.
/// </summary>
internal sealed class ReferenceDeviceException : Exception
{
    /// <summary>E_INVALIDARG: the call's arguments are invalid.</summary>
    public const int InvalidArgument = unchecked((int)0x80070057);

    /// <summary>DXGI_ERROR_DEVICE_REMOVED: an earlier GPU error removed the device.</summary>
    public const int DeviceRemoved = unchecked((int)0x887A0005);

    /// <summary>E_NOTIMPL: a method the reference device does not implement (the runtime never calls it).</summary>
    public const int NotImplemented = unchecked((int)0x80004001);

    public ReferenceDeviceException(string message, int hresult = InvalidArgument)
        : base(message) => HResult = hresult;
}
