using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace LlmKit.Tests.Structured;

public enum InvoiceStatus
{
    Draft,
    Sent,
    Paid,
}

[Description("An invoice read from a document.")]
public sealed record Invoice
{
    [Description("The invoice number as printed.")]
    [RegularExpression("^INV-[0-9]+$")]
    public required string Number { get; init; }

    public required string Customer { get; init; }

    public required InvoiceStatus Status { get; init; }

    [Range(0, 1_000_000)]
    public required decimal Total { get; init; }

    public string? Note { get; init; }

    public required List<InvoiceLine> Lines { get; init; }
}

public sealed record InvoiceLine
{
    public required string Item { get; init; }

    [Range(1, 10_000)]
    public required int Quantity { get; init; }

    public required decimal Price { get; init; }
}
