using System.Text;

namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>Reads the fixture files copied next to the test assembly.</summary>
public static class Fixtures
{
    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static string Text(string name) => Encoding.UTF8.GetString(Read(name));
}
