namespace Dsl.Tests.DirectML;

/// <summary>
/// Finds the DirectX headers (d3d12.h, dxcore.h and the WSL stubs that make them compile with
/// gcc) from the Debian package <c>directx-headers-dev</c>: the installed copy in /usr/include if
/// there is one, else a private copy unpacked without root into the test's build output.
/// </summary>
internal static class DirectXHeaders
{
    public const string Package = "directx-headers-dev";

    private static readonly Lazy<string> IncludeRoot = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder that holds directx/, wsl/ and dxguids/ (an include root).</summary>
    public static string Root => IncludeRoot.Value;

    /// <summary>apt options that keep package lists and caches under <paramref name="cache"/>.</summary>
    private static string[] PrivateAptOptions(string cache)
    {
        string lists = Path.Combine(cache, "apt-lists"), apt = Path.Combine(cache, "apt-cache");
        Directory.CreateDirectory(Path.Combine(lists, "partial"));
        Directory.CreateDirectory(Path.Combine(apt, "archives", "partial"));
        return ["-o", $"Dir::State::Lists={lists}", "-o", $"Dir::Cache={apt}", "-o", "Debug::NoLocking=1"];
    }

    private static string Locate()
    {
        if (File.Exists("/usr/include/directx/d3d12.h") && File.Exists("/usr/include/wsl/winadapter.h"))
            return "/usr/include";

        var cache = Path.Combine(AppContext.BaseDirectory, "directx-headers");
        var root = Path.Combine(cache, "usr", "include");
        if (File.Exists(Path.Combine(root, "directx", "d3d12.h")))
            return root;

        // apt-get download fetches the .deb without installing it (no root needed beyond what
        // apt's own cache allows); dpkg -x unpacks it into a plain folder.
        var aptGet = ExternalTools.Require("apt-get", $"download {Package}");
        var dpkg = ExternalTools.Require("dpkg", $"unpack {Package}");
        var work = Path.Combine(cache, $"download-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            try
            {
                ExternalTools.Run(aptGet, ["download", Package], work, TimeSpan.FromMinutes(2));
            }
            catch (InvalidOperationException)
            {
                // A fresh machine often has no (or stale) package lists: fetch them into a private
                // folder (apt's own state is left alone, no root needed) and download from those.
                try
                {
                    string[] privateApt = PrivateAptOptions(cache);
                    ExternalTools.Run(aptGet, ["update", .. privateApt], work, TimeSpan.FromMinutes(3));
                    ExternalTools.Run(aptGet, ["download", .. privateApt, Package], work, TimeSpan.FromMinutes(2));
                }
                catch (InvalidOperationException error)
                {
                    throw new InvalidOperationException(
                        $"apt-get download {Package} failed, also after 'apt-get update' into a private list folder: check that a Debian mirror is reachable, or install {Package}. {error.Message}", error);
                }
            }
            var deb = Directory.GetFiles(work, $"{Package}_*.deb").SingleOrDefault()
                ?? throw new InvalidOperationException($"apt-get download {Package} left no .deb in {work}.");
            var unpacked = Path.Combine(work, "root");
            ExternalTools.Run(dpkg, ["-x", deb, unpacked], work, TimeSpan.FromMinutes(1));
            if (!File.Exists(Path.Combine(unpacked, "usr", "include", "directx", "d3d12.h")))
                throw new InvalidOperationException($"{deb} has no usr/include/directx/d3d12.h.");

            // Publish with one rename so a concurrent run never sees half a tree.
            try
            {
                Directory.Move(Path.Combine(unpacked, "usr"), Path.Combine(cache, "usr"));
            }
            catch (IOException) when (File.Exists(Path.Combine(root, "directx", "d3d12.h")))
            {
                // Another run published it first.
            }
            return root;
        }
        catch (Exception error) when (error is not InvalidOperationException)
        {
            throw new InvalidOperationException($"Could not obtain {Package}: {error.Message}", error);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
