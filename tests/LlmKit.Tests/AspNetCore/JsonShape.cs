using System.Text.Json;

namespace LlmKit.Tests.AspNetCore;

/// <summary>
/// Compares the shape of a JSON answer with a fixture written from OpenAI's API reference: the same property names at
/// every level (both ways) and the same value kinds; <c>null</c> on either side matches anything (nullable fields), and
/// every element of an array is compared with the fixture's first element.
/// </summary>
public static class JsonShape
{
    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AspNetCore", "Fixtures", name));

    public static void AssertMatches(string fixtureName, string actualJson)
    {
        using var fixture = JsonDocument.Parse(Fixture(fixtureName));
        using var actual = JsonDocument.Parse(actualJson);
        var problems = new List<string>();
        Compare(fixture.RootElement, actual.RootElement, "$", problems);
        Assert.True(problems.Count == 0, $"The answer does not have the shape of {fixtureName}:\n{string.Join("\n", problems)}\n{actualJson}");
    }

    private static void Compare(JsonElement expected, JsonElement actual, string path, List<string> problems)
    {
        if (expected.ValueKind == JsonValueKind.Null || actual.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (Kind(expected) != Kind(actual))
        {
            problems.Add($"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
            return;
        }

        if (expected.ValueKind == JsonValueKind.Object)
        {
            var names = actual.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var property in expected.EnumerateObject())
            {
                if (!actual.TryGetProperty(property.Name, out var value))
                {
                    problems.Add($"{path}.{property.Name}: missing");
                    continue;
                }

                names.Remove(property.Name);
                Compare(property.Value, value, path + "." + property.Name, problems);
            }

            foreach (string extra in names)
            {
                problems.Add($"{path}.{extra}: not in OpenAI's format");
            }
        }
        else if (expected.ValueKind == JsonValueKind.Array && expected.GetArrayLength() > 0)
        {
            int i = 0;
            foreach (var item in actual.EnumerateArray())
            {
                Compare(expected[0], item, $"{path}[{i++}]", problems);
            }
        }
    }

    private static JsonValueKind Kind(JsonElement e) => e.ValueKind == JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
}
