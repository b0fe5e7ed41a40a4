using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmKit.Benchmarks;

/// <summary>
/// Structured output (issue 20: parse plus validation of a 2 KB result under 20 µs, allocations under 3x the object's own
/// size; partial parsing under 1 µs per streamed chunk). Rows: the full <c>StructuredOutput.Parse&lt;T&gt;</c> (find the
/// JSON, read it, validate it against the full schema with JsonSchema.Net, deserialize); reading and validating without
/// deserializing; System.Text.Json's deserialization alone (its allocations are the object's own size, the baseline of
/// the 3x goal); and the partial-JSON reader over the same text in 8-character chunks, per chunk.
/// </summary>
[MemoryDiagnoser]
public class StructuredOutputBenchmarks
{
    private const int ChunkSize = 8;
    private const int Chunks = 256;
    private string _text = null!;
    private string _json = null!;
    private StructuredOutputSchema _schema = null!;
    private string[] _chunks = null!;

    /// <summary>Builds a 2 KB invoice answer wrapped in a sentence and a code fence.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var invoice = new BenchInvoice
        {
            Number = "INV-20261206",
            Customer = "Ada Lovelace Analytical Engines Ltd",
            Status = BenchStatus.Sent,
            Total = 1234.56m,
            Note = "Deliver to the back entrance; call ahead.",
            Lines = Enumerable.Range(1, 20).Select(i => new BenchLine { Item = $"Brass gear wheel, size {i}", Quantity = i, Price = 10.5m + i }).ToList(),
        };
        _json = JsonSerializer.Serialize(invoice, AIJsonUtilities.DefaultOptions);
        _text = "Here is the invoice you asked for:\n\n```json\n" + _json + "\n```\n";
        _schema = StructuredOutputSchema.For<BenchInvoice>();
        _chunks = Enumerable.Range(0, (_text.Length + ChunkSize - 1) / ChunkSize).Select(i => _text.Substring(i * ChunkSize, Math.Min(ChunkSize, _text.Length - (i * ChunkSize)))).ToArray();
        if (_chunks.Length < Chunks || _json.Length is < 1900 or > 2300)
        {
            throw new InvalidOperationException($"The result is {_json.Length} characters, not about 2 KB.");
        }

        if (StructuredOutput.Parse<BenchInvoice>(_text, _schema).Lines.Count != 20)
        {
            throw new InvalidOperationException("The parse lost lines.");
        }
    }

    /// <summary>Find, read, validate and deserialize.</summary>
    [Benchmark]
    public BenchInvoice ParseAndValidate() => StructuredOutput.Parse<BenchInvoice>(_text, _schema);

    /// <summary>Find, read and validate, no deserialization.</summary>
    [Benchmark]
    public bool ReadAndValidateOnly()
    {
        var result = StructuredOutputReader.Read(_text, _schema);
        result.Document?.Dispose();
        return result.Success;
    }

    /// <summary>System.Text.Json alone on the bare JSON: the object's own allocations.</summary>
    [Benchmark(Baseline = true)]
    public BenchInvoice DeserializeOnly() => JsonSerializer.Deserialize<BenchInvoice>(_json, AIJsonUtilities.DefaultOptions)!;

    /// <summary>The partial-JSON reader over the first 256 chunks of the answer (8 characters each); the time is per chunk.</summary>
    [Benchmark(OperationsPerInvoke = Chunks)]
    public int PartialReaderPerChunk()
    {
        var reader = new PartialJsonReader();
        int completions = 0;
        var chunks = _chunks;
        for (int i = 0; i < Chunks; i++)
        {
            completions += reader.Append(chunks[i]) ? 1 : 0;
        }

        return completions;
    }
}

/// <summary>The benchmark's invoice.</summary>
public sealed record BenchInvoice
{
    /// <summary>Gets the number.</summary>
    [RegularExpression("^INV-[0-9]+$")]
    public required string Number { get; init; }

    /// <summary>Gets the customer.</summary>
    public required string Customer { get; init; }

    /// <summary>Gets the status.</summary>
    public required BenchStatus Status { get; init; }

    /// <summary>Gets the total.</summary>
    [Range(0, 1_000_000)]
    public required decimal Total { get; init; }

    /// <summary>Gets the note.</summary>
    public string? Note { get; init; }

    /// <summary>Gets the lines.</summary>
    public required List<BenchLine> Lines { get; init; }
}

/// <summary>An invoice line.</summary>
public sealed record BenchLine
{
    /// <summary>Gets the item.</summary>
    public required string Item { get; init; }

    /// <summary>Gets the quantity.</summary>
    [Range(1, 10_000)]
    public required int Quantity { get; init; }

    /// <summary>Gets the price.</summary>
    public required decimal Price { get; init; }
}

/// <summary>An invoice status.</summary>
public enum BenchStatus
{
    /// <summary>Draft.</summary>
    Draft,

    /// <summary>Sent.</summary>
    Sent,
}
