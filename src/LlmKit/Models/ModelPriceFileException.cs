namespace LlmKit;

/// <summary>
/// A LiteLLM-format price file could not be imported: it is not JSON, or an entry or one of its fields is not what
/// the format allows. The message names the file and, where one is to blame, the entry and the field; nothing of the
/// file was imported.
/// </summary>
public sealed class ModelPriceFileException : LlmKitConfigurationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ModelPriceFileException()
        : base("The model price file could not be imported.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What is wrong.</param>
    public ModelPriceFileException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public ModelPriceFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the file, the entry and the field.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="priceFile">The file (a path, or the name given for a stream).</param>
    /// <param name="entry">The entry (model id) at fault, or <see langword="null"/> when the file as a whole is.</param>
    /// <param name="field">The field of the entry at fault, or <see langword="null"/>.</param>
    /// <param name="innerException">The error that revealed it, or <see langword="null"/>.</param>
    public ModelPriceFileException(string message, string priceFile, string? entry, string? field, Exception? innerException = null)
        : base(message, innerException)
    {
        PriceFile = priceFile;
        Entry = entry;
        Field = field;
    }

    /// <summary>Gets the file (a path, or the name given for a stream), or <see langword="null"/> when not known.</summary>
    public string? PriceFile { get; }

    /// <summary>Gets the entry (model id) at fault, or <see langword="null"/> when the file as a whole is.</summary>
    public string? Entry { get; }

    /// <summary>Gets the field of the entry at fault, or <see langword="null"/>.</summary>
    public string? Field { get; }
}
