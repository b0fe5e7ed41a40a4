using System.Globalization;

namespace LlmKit;

/// <summary>A conversation (or another versioned item) changed since the caller read it.</summary>
public class ConcurrencyConflictException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ConcurrencyConflictException()
        : base("The item was changed by someone else. Reload it and apply the change again.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConcurrencyConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for an item whose version moved on.</summary>
    /// <param name="itemId">The id of the item.</param>
    /// <param name="expectedVersion">The version the caller read.</param>
    /// <param name="actualVersion">The version in the store.</param>
    public ConcurrencyConflictException(string itemId, long expectedVersion, long actualVersion)
        : base(string.Create(CultureInfo.InvariantCulture, $"'{itemId}' is at version {actualVersion} but the change was made against version {expectedVersion}. Reload it and apply the change again."))
    {
        ItemId = itemId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets the id of the item, or <see langword="null"/>.</summary>
    public string? ItemId { get; }

    /// <summary>Gets the version the caller read.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets the version in the store.</summary>
    public long ActualVersion { get; }
}
