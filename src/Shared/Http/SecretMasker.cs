using System.Text.RegularExpressions;

namespace LlmKit.Http;

/// <summary>
/// Masks secrets in every text LlmKit puts in an exception, a log or an activity: the secrets it was given
/// (a connection's key, its header values), the user info of URLs (<c>http://user:secret@host/</c>), and
/// anything shaped like a credential (<c>sk-...</c> keys, Google <c>AIza...</c> keys, bearer tokens,
/// <c>api-key</c>/<c>key=</c>/<c>token=</c> query values and headers). Compiled into every package that
/// writes such text.
/// </summary>
internal static partial class SecretMasker
{
    /// <summary>What a masked key is replaced by.</summary>
    public const string RedactedKey = "[api key]";

    /// <summary>What other masked secrets (URL user info, tokens, passwords) are replaced by.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>Masks the given secrets (shorter than 4 characters are ignored: masking them would garble text) and anything shaped like one.</summary>
    public static string Mask(string? text, string? secret = null, IEnumerable<string?>? moreSecrets = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        text = Replace(text, secret);
        if (moreSecrets is not null)
        {
            foreach (string? s in moreSecrets)
            {
                text = Replace(text, s);
            }
        }

        // Cheap pre-checks keep the common case (no URL, no key) free of regex work.
        if (text.Contains('@'))
        {
            text = UrlUserInfo().Replace(text, "${scheme}" + Redacted + "@");
        }

        return KeyShape().Replace(text, static m =>
            m.Groups["name"].Success ? m.Groups["name"].Value + m.Groups["sep"].Value + Redacted : RedactedKey);
    }

    /// <summary>
    /// Describes an address for a message: scheme, host, port and path, never the user info or the query
    /// (where keys travel: <c>?key=...</c>). <see langword="null"/> gives <c>(none)</c>.
    /// </summary>
    public static string Url(Uri? uri)
    {
        if (uri is null)
        {
            return "(none)";
        }

        if (!uri.IsAbsoluteUri)
        {
            return Mask(uri.OriginalString);
        }

        return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    /// <summary>Describes the origin of an address (scheme, host and port) without its user info.</summary>
    public static string Origin(Uri uri)
        => uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : Mask(uri.OriginalString);

    private static string Replace(string text, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return text;
        }

        string trimmed = secret.Trim();
        return trimmed.Length < 4 ? text : text.Replace(trimmed, RedactedKey, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@?#]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(
        @"\bsk-[A-Za-z0-9_\-\*\.]{8,}|\bAIza[0-9A-Za-z_\-]{20,}|\bgsk_[A-Za-z0-9]{20,}"
        + @"|(?<name>\b(?:Bearer|Basic))(?<sep>\s+)[A-Za-z0-9_\-\.=:+/~]{6,}"
        + @"|(?<name>[?&](?:api[-_]?key|key|token|access[-_]?token|secret|password|sig|signature)=)(?<sep>)[^&\s#""']+"
        + @"|(?<name>\b(?:x-api-key|api-key|x-goog-api-key|authorization)[""']?\s*[:=]\s*[""']?)(?<sep>)(?!Bearer\b|Basic\b|\[)[^\s""',;]{4,}",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
