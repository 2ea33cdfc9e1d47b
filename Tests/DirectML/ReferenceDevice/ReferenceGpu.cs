using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// State shared by every object of one reference device: the errors it reported, whether it is
/// removed, fake GPU addresses, the operators DirectML created and native memory to free.
/// </summary>
internal sealed unsafe class ReferenceGpu : IDisposable
{
    static readonly StrategyBasedComWrappers Wrappers = new();
    static readonly Guid IUnknownIid = new("00000000-0000-0000-C000-000000000046");
    readonly List<nint> allocations = [];
    ulong nextAddress = 0x1_0000_0000;

    /// <summary>Every error the device reported, in order (HRESULTs carry no message across COM).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Set by a failed execution: like a removed D3D12 device, later work fails.</summary>
    public bool Removed { get; private set; }

    /// <summary>The operators <c>IDMLDevice::CreateOperator</c> made, resolvable by the interpreter.</summary>
    public ReferenceOperators Operators { get; } = new();

    /// <summary>Memory for translated graph descriptions, freed with the device.</summary>
    public DmlNativeArena Arena { get; } = new();

    /// <summary>Resources alive on the device (for descriptor and address lookups).</summary>
    public List<ReferenceResource> Resources { get; } = [];

    /// <summary>Descriptor heaps created on the device.</summary>
    public List<ReferenceDescriptorHeap> Heaps { get; } = [];

    /// <summary>Records an error and returns the exception to throw.</summary>
    public ReferenceDeviceException Fail(string message, int hresult = ReferenceDeviceException.InvalidArgument)
    {
        Errors.Add(message);
        return new ReferenceDeviceException(message, hresult);
    }

    /// <summary>An execution error: recorded, and the device is removed.</summary>
    public void Remove(string message)
    {
        Errors.Add(message);
        Removed = true;
    }

    /// <summary>Throws DXGI_ERROR_DEVICE_REMOVED once the device is removed.</summary>
    public void ThrowIfRemoved(string call)
    {
        if (Removed)
            throw Fail($"{call}: the device was removed by an earlier error.", ReferenceDeviceException.DeviceRemoved);
    }

    /// <summary>A range of fake GPU addresses (virtual addresses, descriptor handles).</summary>
    public ulong ReserveAddresses(ulong size)
    {
        var start = nextAddress;
        nextAddress += (size + 0xFFFF) & ~0xFFFFUL;
        return start;
    }

    /// <summary>Zeroed native memory owned by the device.</summary>
    public byte* Allocate(ulong size)
    {
        var memory = (byte*)NativeMemory.AllocZeroed((nuint)size);
        allocations.Add((nint)memory);
        return memory;
    }

    /// <summary>Returns a managed reference object through <c>void** ppv</c> as the interface <paramref name="riid"/> asks for.</summary>
    public static void Return(object target, Guid* riid, void** ppv)
    {
        if (ppv == null)
            throw new ReferenceDeviceException("ppv is null.");
        var unknown = Wrappers.GetOrCreateComInterfaceForObject(target, CreateComInterfaceFlags.None);
        try
        {
            var hr = Marshal.QueryInterface(unknown, in *riid, out var result);
            if (hr < 0)
                throw new ReferenceDeviceException($"{target.GetType().Name} does not implement {*riid}.", hr);
            *ppv = (void*)result;
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    /// <summary>The reference object behind a raw interface pointer the runtime passed in a struct.</summary>
    public T Resolve<T>(void* pointer, string what) where T : class
    {
        if (pointer == null)
            throw Fail($"{what} is null.");
        // ComWrappers finds the object from its IUnknown pointer, not from another interface's.
        var unknownIid = IUnknownIid;
        T? result = null;
        if (Marshal.QueryInterface((nint)pointer, in unknownIid, out var unknown) >= 0)
        {
            result = ComWrappers.TryGetObject(unknown, out var target) ? target as T : null;
            Marshal.Release(unknown);
        }
        return result
            ?? throw Fail($"{what} (0x{(nint)pointer:x}) is not a {typeof(T).Name} of the reference device.");
    }

    /// <summary>
    /// The reference object behind an interface argument: the generated stubs wrap the incoming
    /// pointer in a native wrapper rather than unwrapping our own object, so unwrap it here.
    /// </summary>
    public T? Own<T>(object? argument) where T : class
    {
        if (argument is T direct)
            return direct;
        if (argument is null || !ComWrappers.TryGetComInstance(argument, out var unknown))
            return null;
        try
        {
            return ComWrappers.TryGetObject(unknown, out var target) ? target as T : null;
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    /// <summary>Gives a managed reference object to product code as a native pointer, as a device factory would.</summary>
    public static void* Pointer<T>(T target) where T : class => ComInterfaceMarshaller<T>.ConvertToUnmanaged(target);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var memory in allocations)
            NativeMemory.Free((void*)memory);
        allocations.Clear();
        Operators.Dispose();
        Arena.Dispose();
    }
}
