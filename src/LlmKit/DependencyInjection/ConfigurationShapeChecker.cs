using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using LlmKit.Http;
using Microsoft.Extensions.Configuration;

namespace LlmKit;

/// <summary>
/// Walks a configuration section against the options type it binds to and reports, with its full path, every key
/// that names no property (with the keys that would be known there) and every value that cannot be converted to its
/// property's type. It reads the options types' properties, as the configuration binder does, rather than the
/// binder's messages, so every problem is found in one pass. Values of secret-like settings are never quoted.
/// </summary>
internal static class ConfigurationShapeChecker
{
    private const int MaxQuotedLength = 60;
    private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>> Properties = new();

    /// <summary>Checks <paramref name="section"/> as a <paramref name="type"/> and adds each problem.</summary>
    public static void Check(IConfigurationSection section, Type type, Action<string, string> problem)
        => CheckObject(section, type, problem);

    private static void CheckObject(IConfigurationSection section, Type type, Action<string, string> problem)
    {
        if (CollectionElement(type) is { } collection)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, collection.Element, problem);
            }

            return;
        }

        var properties = PropertiesOf(type);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problem(child.Path, $"unknown key; known keys: {string.Join(", ", properties.Values.Select(p => p.Name).Distinct().Order(StringComparer.Ordinal))}.");
                continue;
            }

            CheckValue(child, property.PropertyType, problem);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, Action<string, string> problem)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(object))
        {
            return;
        }

        bool hasChildren = section.GetChildren().Any();
        if (IsScalar(target))
        {
            if (hasChildren)
            {
                problem(section.Path, $"expects a single value ({Describe(target)}), not a section.");
            }
            else if (!string.IsNullOrEmpty(section.Value) && !CanConvert(section.Value, target))
            {
                problem(section.Path, $"{Quote(section)} is not {Describe(target)}.");
            }

            return;
        }

        if (!hasChildren)
        {
            // An empty section (an empty JSON object or array) is fine; a plain value where a section is expected is not.
            if (!string.IsNullOrEmpty(section.Value))
            {
                problem(section.Path, $"expects a section ({(CollectionElement(target) is null ? "an object with settings" : "a list or a map")}), not a single value.");
            }

            return;
        }

        CheckObject(section, target, problem);
    }

    private static bool CanConvert(string value, Type type)
    {
        if (type.IsEnum)
        {
            // The binder accepts numbers for enums; a number names no member here, so it is refused like a misspelling.
            return !(char.IsAsciiDigit(value[0]) || value[0] is '-' or '+')
                && Enum.TryParse(type, value, ignoreCase: true, out object? parsed)
                && Enum.IsDefined(type, parsed!);
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _);
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null || !type.IsValueType;
        }
#pragma warning disable CA1031 // Converters throw whatever they like (FormatException, OverflowException, ArgumentException...): any of them means "cannot be converted".
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        if (type.IsEnum)
        {
            return $"one of: {string.Join(", ", Enum.GetNames(type))}";
        }

        return type switch
        {
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number (with '.' as the decimal separator)",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (d.hh:mm:ss)",
            _ when type == typeof(Uri) => "an address",
            _ when type == typeof(string) => "text",
            _ => $"a {type.Name}",
        };
    }

    /// <summary>Quotes a rejected value unless its key looks secret (or it looks like a credential itself).</summary>
    private static string Quote(IConfigurationSection section)
    {
        if (IsSecretLike(section.Path))
        {
            return "the value";
        }

        string value = SecretMasker.Mask(section.Value);
        return value.Length > MaxQuotedLength ? $"'{value[..MaxQuotedLength]}...'" : $"'{value}'";
    }

    /// <summary>Whether a configuration key holds a secret: a key, secret, token, password or credential, or any header value.</summary>
    internal static bool IsSecretLike(string path)
    {
        string[] parts = path.Split(':');
        string last = parts[^1];
        return parts.Length >= 2 && string.Equals(parts[^2], "Headers", StringComparison.OrdinalIgnoreCase)
            || last.Contains("key", StringComparison.OrdinalIgnoreCase)
            || last.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || last.Contains("token", StringComparison.OrdinalIgnoreCase) && !last.Contains("tokens", StringComparison.OrdinalIgnoreCase)
            || last.Contains("password", StringComparison.OrdinalIgnoreCase)
            || last.Contains("credential", StringComparison.OrdinalIgnoreCase)
            || last.Contains("authorization", StringComparison.OrdinalIgnoreCase)
            || last.Contains("connectionstring", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri)
        || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(CultureInfo) || type == typeof(TimeZoneInfo);

    /// <summary>The element type of a list, array, set or string-keyed dictionary; <see langword="null"/> for other types.</summary>
    private static (Type Element, bool IsMap)? CollectionElement(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return (type.GetElementType()!, false);
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        foreach (var i in interfaces.Where(i => i.IsGenericType))
        {
            var definition = i.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            {
                return (i.GetGenericArguments()[1], true);
            }
        }

        foreach (var i in interfaces.Where(i => i.IsGenericType))
        {
            if (i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return (i.GetGenericArguments()[0], false);
            }
        }

        return null;
    }

    private static Dictionary<string, PropertyInfo> PropertiesOf(Type type) => Properties.GetOrAdd(type, static t =>
    {
        var result = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true })
            {
                continue;
            }

            // The binder sets public setters, and fills collections and objects that have only a getter.
            bool bindable = property.SetMethod is { IsPublic: true } || !IsScalar(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
            if (bindable)
            {
                string name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
                result.TryAdd(name, property);
            }
        }

        return result;
    });
}
