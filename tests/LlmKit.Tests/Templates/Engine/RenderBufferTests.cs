namespace LlmKit.Tests.Templates.Engine;

public class RenderBufferTests
{
    [Fact]
    public void Append_BeyondTheCapacity_GrowsAndKeepsEveryCharacter()
    {
        var buffer = new RenderBuffer(16);
        string expected = string.Empty;

        for (int i = 0; i < 200; i++)
        {
            buffer.Append("ab");
            buffer.AppendFormatted(i);
            buffer.AppendFormatted(i / 8.0);
            buffer.AppendUtf8("é😀"u8);
            expected += "ab" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + (i / 8.0).ToString(System.Globalization.CultureInfo.InvariantCulture) + "é😀";
        }

        Assert.Equal(expected, buffer.Slice(0, buffer.Length).ToString());
        Assert.True(buffer.Capacity >= expected.Length);
        buffer.Release();
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void AppendFormatted_LongValueIntoAFullBuffer_GrowsUntilItFits()
    {
        var buffer = new RenderBuffer(16);
        buffer.Append(new string('x', buffer.Capacity));

        buffer.AppendFormatted(decimal.MinValue);

        Assert.Equal(new string('x', buffer.Length - 30) + "-79228162514264337593543950335", buffer.Slice(0, buffer.Length).ToString());
    }
}
