namespace LlmKit;

/// <summary>
/// A vector did not have the number of dimensions its collection was created with: the query or record was embedded
/// by a different model than the collection's.
/// </summary>
public sealed class VectorDimensionMismatchException : LlmKitException
{
    /// <summary>Initializes a new instance naming both dimensions.</summary>
    /// <param name="collectionName">The collection's name.</param>
    /// <param name="expectedDimensions">The collection's dimensions.</param>
    /// <param name="actualDimensions">The vector's dimensions.</param>
    public VectorDimensionMismatchException(string collectionName, int expectedDimensions, int actualDimensions)
        : base($"Collection '{collectionName}' holds vectors of {expectedDimensions} dimensions, but a vector of {actualDimensions} dimensions was given. " +
               "Embed with the model the collection was created with, or re-ingest into a new collection.")
    {
        CollectionName = collectionName;
        ExpectedDimensions = expectedDimensions;
        ActualDimensions = actualDimensions;
    }

    /// <summary>Gets the collection's name.</summary>
    public string CollectionName { get; }

    /// <summary>Gets the dimensions the collection was created with.</summary>
    public int ExpectedDimensions { get; }

    /// <summary>Gets the dimensions of the vector that was given.</summary>
    public int ActualDimensions { get; }

    /// <inheritdoc />
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;
}
