using System.Text;

namespace Dsl.Generator.Helpers;

internal static class Names
{
    /// <summary>camelCase / PascalCase field name to PyTorch snake_case (clsToken → cls_token, fc1 → fc1).</summary>
    public static string ToSnakeCase(string name)
    {
        name = name.TrimStart('_');
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
