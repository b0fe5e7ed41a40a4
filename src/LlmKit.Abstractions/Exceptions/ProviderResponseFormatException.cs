using System.Net;

namespace LlmKit;

/// <summary>
/// A provider answered with a success status but the body is not what its wire format requires: not JSON, HTML
/// from a proxy, an error object, a missing or wrongly typed field (<c>choices</c>, <c>content</c>,
/// <c>candidates</c>, <c>message</c>), a token count that is not a non-negative integer, or a stream that is not a
/// stream. LlmKit never turns such a body into an empty success.
/// </summary>
/// <remarks>
/// <para>
/// It is a <see cref="ProviderException"/> (so every handler of provider failures sees it) with
/// <see cref="LlmKitException.FailureKind"/> <see cref="LlmFailureKind.InvalidResponse"/> and
/// <see cref="ProviderException.IsRetryable"/> <see langword="true"/> by default: a malformed success usually comes
/// from a proxy, a load balancer or a server having a bad moment, so another attempt or another deployment is
/// worth a try.
/// </para>
/// <para>
/// The message names the provider, the HTTP status, the offending field (a JSON path such as
/// <c>choices[0].message.content</c>) and the first 200 characters of the body with secrets masked (anything
/// shaped like an API key, <c>Bearer</c> tokens, <c>key=</c> query values and URL user info).
/// </para>
/// </remarks>
public class ProviderResponseFormatException : ProviderException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ProviderResponseFormatException()
        : this("The provider answered with a body that does not match its wire format. Check that the base address points at the right API.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public ProviderResponseFormatException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one (such as a <see cref="System.Text.Json.JsonException"/>), or <see langword="null"/>.</param>
    public ProviderResponseFormatException(string message, Exception? innerException)
        : this(message, provider: null, statusCode: null, field: null, bodyExcerpt: null, innerException: innerException)
    {
    }

    /// <summary>Initializes a new instance with everything known about the malformed body.</summary>
    /// <param name="message">What happened and what to do about it; must not contain secrets.</param>
    /// <param name="provider">The provider name, such as <c>openai</c>; <see langword="null"/> when unknown.</param>
    /// <param name="statusCode">The HTTP status of the response; <see langword="null"/> when unknown.</param>
    /// <param name="field">The offending field as a JSON path, such as <c>choices[0].message.content</c>; <see langword="null"/> when the whole body is wrong.</param>
    /// <param name="bodyExcerpt">The start of the body with secrets masked; <see langword="null"/> when not kept.</param>
    /// <param name="providerErrorCode">The provider's error code when the body was an error object; <see langword="null"/> otherwise.</param>
    /// <param name="isRetryable">Whether trying again can succeed; <see langword="null"/> (the default) means <see langword="true"/>.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public ProviderResponseFormatException(
        string message,
        string? provider,
        HttpStatusCode? statusCode,
        string? field,
        string? bodyExcerpt,
        string? providerErrorCode = null,
        bool? isRetryable = null,
        Exception? innerException = null)
        : base(message, provider, statusCode, LlmFailureKind.InvalidResponse, providerErrorCode, requestId: null, isRetryable ?? true, innerException)
    {
        Field = field;
        BodyExcerpt = bodyExcerpt;
    }

    /// <summary>Gets the offending field as a JSON path (such as <c>usage.prompt_tokens</c>), or <see langword="null"/> when the body as a whole is wrong.</summary>
    public string? Field { get; }

    /// <summary>Gets the first characters (at most 200) of the body with secrets masked, or <see langword="null"/>.</summary>
    public string? BodyExcerpt { get; }
}
