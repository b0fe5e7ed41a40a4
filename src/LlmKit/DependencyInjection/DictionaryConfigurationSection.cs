using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace LlmKit;

/// <summary>
/// A read-only configuration section over a flat string map (a connection's <c>Settings</c>), so that the configuration
/// binder and <see cref="ConfigurationShapeChecker"/> read it as they read the host's configuration, with full paths.
/// Keys match case-insensitively, as in configuration.
/// </summary>
internal sealed class DictionaryConfigurationSection : IConfigurationSection
{
    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);
    private readonly Dictionary<string, string>? _values;
    private readonly string? _value;

    public DictionaryConfigurationSection(string path, IReadOnlyDictionary<string, string> values)
        : this(path, value: null, new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase))
    {
    }

    private DictionaryConfigurationSection(string path, string? value, Dictionary<string, string>? values)
    {
        Path = path;
        Key = path[(path.LastIndexOf(':') + 1)..];
        _value = value;
        _values = values;
    }

    public string Key { get; }

    public string Path { get; }

    public string? Value
    {
        get => _value;
        set => throw new NotSupportedException("A connection's settings section is read-only.");
    }

    public string? this[string key]
    {
        get => GetSection(key).Value;
        set => throw new NotSupportedException("A connection's settings section is read-only.");
    }

    public IConfigurationSection GetSection(string key)
        => new DictionaryConfigurationSection(Path + ":" + key, _values is not null && _values.TryGetValue(key, out string? value) ? value : null, values: null);

    public IEnumerable<IConfigurationSection> GetChildren()
        => _values is null ? [] : _values.Select(pair => (IConfigurationSection)new DictionaryConfigurationSection(Path + ":" + pair.Key, pair.Value, values: null));

    public IChangeToken GetReloadToken() => NeverChanges;
}
