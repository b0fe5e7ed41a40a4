using YamlDotNet.RepresentationModel;

namespace LlmKit;

/// <summary>
/// Resolves Prompty's <c>${env:NAME}</c>, <c>${env:NAME:default}</c> and <c>${file:path}</c> values in front matter when a
/// template is loaded. Files are read relative to the template's folder and may not leave it; a JSON or YAML file
/// becomes the structure it holds, any other file its text. Environment values never appear in error messages.
/// </summary>
internal static class FrontMatterReferences
{
    public static void Resolve(YamlNode node, TemplateYamlReader reader, string? folder)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var key in map.Children.Keys.ToList())
                {
                    if (Replacement(map.Children[key], reader, folder) is { } replaced)
                    {
                        map.Children[key] = replaced;
                    }
                    else
                    {
                        Resolve(map.Children[key], reader, folder);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    if (Replacement(sequence.Children[i], reader, folder) is { } replaced)
                    {
                        sequence.Children[i] = replaced;
                    }
                    else
                    {
                        Resolve(sequence.Children[i], reader, folder);
                    }
                }

                break;
            default:
                break;
        }
    }

    private static YamlNode? Replacement(YamlNode node, TemplateYamlReader reader, string? folder)
    {
        if (node is not YamlScalarNode { Value: { } value } scalar || !value.StartsWith("${", StringComparison.Ordinal) || !value.EndsWith('}'))
        {
            return null;
        }

        string inner = value[2..^1];
        if (inner.StartsWith("env:", StringComparison.Ordinal))
        {
            string rest = inner[4..];
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? rest : rest[..colon];
            string? fallback = colon < 0 ? null : rest[(colon + 1)..];
            if (name.Length == 0)
            {
                throw reader.Error(node, "'${env:}' needs a variable name: '${env:NAME}' or '${env:NAME:default}'.");
            }

            string? resolved = Environment.GetEnvironmentVariable(name) is { Length: > 0 } set ? set : fallback;
            return resolved is null
                ? throw reader.Error(node, $"the environment variable '{name}' is not set and '${{env:{name}}}' has no default; set it, or write '${{env:{name}:default}}'.")
                : new YamlScalarNode(resolved) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted };
        }

        if (inner.StartsWith("file:", StringComparison.Ordinal))
        {
            string relative = inner[5..].Trim();
            if (folder is null)
            {
                throw reader.Error(node, $"'${{file:{relative}}}' needs the template's folder; load the template from a file (PromptTemplateFiles.Load or LoadDirectory).");
            }

            string root = Path.GetFullPath(folder);
            string full = Path.GetFullPath(Path.Combine(root, relative));
            string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
            if (relative.Length == 0 || Path.IsPathRooted(relative) || !full.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw reader.Error(node, $"'${{file:{relative}}}' is outside the template's folder; reference files in the folder of the template or below it, by a relative path.");
            }

            if (!File.Exists(full))
            {
                throw reader.Error(node, $"'${{file:{relative}}}' does not exist (looked for '{full}').");
            }

            string text = File.ReadAllText(full);
            string extension = Path.GetExtension(full).ToLowerInvariant();
            if (extension is ".json" or ".yaml" or ".yml")
            {
                var stream = new YamlStream();
                try
                {
                    stream.Load(new StringReader(extension == ".json" ? text.Replace('\t', ' ') : text));
                }
                catch (YamlDotNet.Core.YamlException ex)
                {
                    throw reader.Error(node, $"'${{file:{relative}}}' is not valid {extension[1..].ToUpperInvariant()}: {ex.Message}");
                }

                return stream.Documents.Count == 0 ? new YamlScalarNode(string.Empty) : stream.Documents[0].RootNode;
            }

            return new YamlScalarNode(text) { Style = YamlDotNet.Core.ScalarStyle.Literal };
        }

        _ = scalar;
        return null;
    }
}
