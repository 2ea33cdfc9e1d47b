using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;

namespace Dsl.Backend.DirectML.Interop;

/// <summary>
/// Glue between raw COM pointers (what D3D12/DirectML factories hand out through
/// <c>void** ppv</c>) and the <c>[GeneratedComInterface]</c> wrappers.
/// </summary>
/// <remarks>
/// <para>How the declarations map to native vtables. The COM source generator assigns slots
/// 0–2 to IUnknown, then each interface's own methods in declaration order after all slots of
/// its base interface: slot = 3 + (methods declared on all bases) + index here. So every
/// native method before the last one used must be declared, in header order (unused ones as
/// parameterless placeholders that are never called). Tests/DirectML/ComSlotDispatchTests
/// proves the rule against the generator by calling each method on a fake native object, and
/// D3D12LayoutTests compares the rule's slots with the compiled headers.</para>
/// <para>Struct returns. The generated stubs call through
/// <c>delegate* unmanaged[MemberFunction]</c>. On Windows x64 that is the MSVC member-function
/// ABI (hidden return buffer after <c>this</c>, even for 8-byte structs); on Linux/WSL it is
/// the plain SysV C ABI, which is what the <c>!defined(_WIN32)</c> branch of d3d12.h declares
/// (struct returned by value: in registers up to 16 bytes, else a buffer before <c>this</c>).
/// Declaring such methods as returning the struct by value is therefore right on both, where a
/// hand-written <c>T* Method(T* result)</c> would be right on Windows only.</para>
/// </remarks>
internal static unsafe class ComInterop
{
    /// <summary>
    /// Wraps native pointers without unwrapping: a pointer to a managed COM object (the tests'
    /// reference device) still gets a native wrapper, so every call crosses the COM boundary as
    /// it does with the real d3d12/DirectML.
    /// </summary>
    static readonly StrategyBasedComWrappers Wrappers = new();

    /// <summary>Wraps a pointer received through <c>void** ppv</c>, taking over its reference.</summary>
    public static T Take<T>(void* pointer) where T : class
    {
        if (pointer is null)
            throw new InvalidOperationException($"A call that creates {typeof(T).Name} succeeded but returned null.");
        try
        {
            return Wrappers.GetOrCreateObjectForComInstance((nint)pointer, CreateObjectFlags.None) as T
                ?? throw new InvalidOperationException($"The object does not implement {typeof(T).Name}.");
        }
        finally
        {
            // The wrapper holds its own reference; the factory's one is ours to drop.
            Marshal.Release((nint)pointer);
        }
    }

    /// <summary>The raw interface pointer of a wrapper, with a reference the caller must release.</summary>
    public static void* AddRefPointer<T>(T wrapper) where T : class => ComInterfaceMarshaller<T>.ConvertToUnmanaged(wrapper);

    /// <summary>Releases a reference obtained from <see cref="AddRefPointer{T}"/>.</summary>
    public static void Release(void* pointer)
    {
        if (pointer is not null)
            Marshal.Release((nint)pointer);
    }

    /// <summary>Drops the wrapper's native reference now instead of at finalization.</summary>
    public static void FinalRelease(object? wrapper)
    {
        if (wrapper is ComObject comObject)
            comObject.FinalRelease();
    }

    /// <summary>Throws with the failing call named, for the factory functions that return an HRESULT.</summary>
    public static void ThrowIfFailed(int hresult, string call)
    {
        if (hresult < 0)
            throw new COMException($"{call} failed with HRESULT 0x{hresult:X8}.", hresult);
    }

    /// <summary>
    /// A NUL-terminated wide string as the native side reads <c>wchar_t</c>: UTF-16 on Windows,
    /// UTF-32 on Linux/WSL (the DirectX-Headers stubs map WCHAR to the platform's wchar_t).
    /// </summary>
    public static byte[] NativeWideString(string text)
    {
        var encoding = OperatingSystem.IsWindows() ? Encoding.Unicode : Encoding.UTF32;
        return encoding.GetBytes(text + '\0');
    }
}
