using System.Text;

namespace Dsl.Backend.DirectML.Interop;

/// <summary>Chooses the adapter to run on through DXCore (the enumeration API WSL has; Windows 10 2004+ too).</summary>
internal static unsafe class DXCoreAdapterPicker
{
    /// <summary>
    /// The first hardware adapter that runs D3D12 compute, high-performance first where the
    /// list can be sorted (a discrete GPU before an integrated one). Software adapters (WARP,
    /// the Microsoft Basic Render Driver) are skipped: DirectML on them is a CPU emulation.
    /// </summary>
    /// <returns>Null when there is no such adapter.</returns>
    public static IDXCoreAdapter? PickHardwareComputeAdapter(NativeLibraries libraries)
    {
        if (libraries.DXCoreCreateAdapterFactory is null)
            return null;

        var factoryIid = typeof(IDXCoreAdapterFactory).GUID;
        void* factoryPointer;
        ComInterop.ThrowIfFailed(libraries.DXCoreCreateAdapterFactory(&factoryIid, &factoryPointer), "DXCoreCreateAdapterFactory");
        var factory = ComInterop.Take<IDXCoreAdapterFactory>(factoryPointer);
        try
        {
            var attribute = DXCoreAdapterAttributes.DXCORE_ADAPTER_ATTRIBUTE_D3D12_CORE_COMPUTE;
            var listIid = typeof(IDXCoreAdapterList).GUID;
            void* listPointer;
            factory.CreateAdapterList(1, &attribute, &listIid, &listPointer);
            var list = ComInterop.Take<IDXCoreAdapterList>(listPointer);
            try
            {
                TrySortHighPerformanceFirst(list);
                var adapterIid = typeof(IDXCoreAdapter).GUID;
                for (uint i = 0; i < list.GetAdapterCount(); i++)
                {
                    void* adapterPointer;
                    list.GetAdapter(i, &adapterIid, &adapterPointer);
                    var adapter = ComInterop.Take<IDXCoreAdapter>(adapterPointer);
                    if (IsHardware(adapter))
                        return adapter;
                    ComInterop.FinalRelease(adapter);
                }
                return null;
            }
            finally
            {
                ComInterop.FinalRelease(list);
            }
        }
        finally
        {
            ComInterop.FinalRelease(factory);
        }
    }

    /// <summary>The driver's description, e.g. "NVIDIA GeForce RTX 4070" (a NUL-terminated char string).</summary>
    public static string Description(IDXCoreAdapter adapter)
    {
        if (!adapter.IsPropertySupported(DXCoreAdapterProperty.DriverDescription))
            return "(unnamed adapter)";
        nuint size;
        adapter.GetPropertySize(DXCoreAdapterProperty.DriverDescription, &size);
        var bytes = new byte[(int)size];
        fixed (byte* buffer = bytes)
            adapter.GetProperty(DXCoreAdapterProperty.DriverDescription, size, buffer);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    /// <summary>Dedicated adapter memory in bytes, 0 if the adapter does not say.</summary>
    public static ulong DedicatedMemory(IDXCoreAdapter adapter)
    {
        if (!adapter.IsPropertySupported(DXCoreAdapterProperty.DedicatedAdapterMemory))
            return 0;
        ulong bytes;
        adapter.GetProperty(DXCoreAdapterProperty.DedicatedAdapterMemory, sizeof(ulong), &bytes);
        return bytes;
    }

    private static bool IsHardware(IDXCoreAdapter adapter)
    {
        if (!adapter.IsPropertySupported(DXCoreAdapterProperty.IsHardware))
            return true;
        // The property is a C++ bool (one byte).
        byte isHardware;
        adapter.GetProperty(DXCoreAdapterProperty.IsHardware, 1, &isHardware);
        return isHardware != 0;
    }

    private static void TrySortHighPerformanceFirst(IDXCoreAdapterList list)
    {
        var preferences = stackalloc DXCoreAdapterPreference[] { DXCoreAdapterPreference.Hardware, DXCoreAdapterPreference.HighPerformance };
        try
        {
            list.Sort(2, preferences);
        }
        catch (System.Runtime.InteropServices.COMException)
        {
            // Sorting is a preference; an unsorted list is still usable.
        }
    }
}
