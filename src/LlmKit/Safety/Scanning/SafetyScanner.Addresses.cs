using System.Net;
using System.Net.Sockets;

namespace LlmKit;

// Network addresses: e-mail addresses, URLs and IPv6 addresses.
internal static partial class SafetyScanner
{
    private ref partial struct ScanState
    {
        /// <summary>An e-mail address around the <c>@</c> at <paramref name="at"/>.</summary>
        private int Email(int at)
        {
            var t = _t;
            int n = t.Length;
            int s = at;
            while (s > 0 && at - s < 64 && (char.IsAsciiLetterOrDigit(t[s - 1]) || t[s - 1] is '.' or '_' or '%' or '+' or '-'))
            {
                s--;
            }

            int e = at + 1;
            while (e < n && e - at < 255 && (char.IsAsciiLetterOrDigit(t[e]) || t[e] is '.' or '-' || (t[e] >= 0x80 && char.IsLetterOrDigit(t[e]))))
            {
                if (t[e] == '.')
                {
                    if (t[e - 1] == '.' || e == at + 1)
                    {
                        break;
                    }
                }

                e++;
            }

            while (e > at + 1 && t[e - 1] is '.' or '-')
            {
                e--;
            }

            if (s == at || e == at + 1 || t[s] == '.' || t[at - 1] == '.' || t[s..at].Contains("..", StringComparison.Ordinal))
            {
                return at + 1;
            }

            int lastDot = t[(at + 1)..e].LastIndexOf('.');
            if (lastDot < 1)
            {
                return at + 1;
            }

            var tld = t[(at + 2 + lastDot)..e];
            if (!IsTopLevelDomain(tld))
            {
                return at + 1;
            }

            Add(SafetyFindingTypes.Email, s, e, 0.95, "EmailRecognizer");
            return e;
        }

        /// <summary>A top-level domain: two or more letters (any script), or an IDNA A-label such as <c>xn--p1ai</c>.</summary>
        private static bool IsTopLevelDomain(ReadOnlySpan<char> tld)
        {
            if (tld.Length >= 5 && tld.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
            {
                var label = tld[4..];
                return char.IsAsciiLetterOrDigit(label[^1]) && label.ContainsAnyExceptInRange('0', '9') && !label.ContainsAnyExcept(PunycodeChars);
            }

            if (tld.Length < 2)
            {
                return false;
            }

            foreach (char c in tld)
            {
                if (!(char.IsAsciiLetter(c) || (c >= 0x80 && char.IsLetter(c))))
                {
                    return false;
                }
            }

            return true;
        }

        private static readonly System.Buffers.SearchValues<char> PunycodeChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

        /// <summary>A URL (<c>scheme://</c>) or an IPv6 address around the <c>:</c> at <paramref name="i"/>.</summary>
        private int Colon(int i)
        {
            var t = _t;
            int n = t.Length;
            if (i + 2 < n && t[i + 1] == '/' && t[i + 2] == '/')
            {
                int s = i;
                while (s > 0 && i - s < 6 && char.IsAsciiLetter(t[s - 1]))
                {
                    s--;
                }

                var scheme = t[s..i];
                if (scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("ftp", StringComparison.OrdinalIgnoreCase))
                {
                    return Url(s, i + 3);
                }

                return i + 1;
            }

            if (i == 0 || i + 1 >= n || !(char.IsAsciiHexDigit(t[i - 1]) || t[i - 1] == ':') || !(char.IsAsciiHexDigit(t[i + 1]) || t[i + 1] == ':'))
            {
                return i + 1;
            }

            int a = i;
            while (a > 0 && i - a < 40 && (char.IsAsciiHexDigit(t[a - 1]) || t[a - 1] == ':'))
            {
                a--;
            }

            int b = i;
            while (b < n && b - a < 45 && (char.IsAsciiHexDigit(t[b]) || t[b] == ':' || (t[b] == '.' && IsAsciiDigit(t, b + 1))))
            {
                b++;
            }

            if ((a > 0 && IsWordChar(t[a - 1])) || (b < n && IsWordChar(t[b])))
            {
                return i + 1;
            }

            var candidate = t[a..b];
            int colons = candidate.Count(':');
            bool compressed = candidate.Contains("::", StringComparison.Ordinal);
            int hexDigits = candidate.Length - colons;
            if ((colons == 7 || (compressed && hexDigits >= 3)) && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                Add(SafetyFindingTypes.IpAddress, a, b, 0.6, "IpAddressRecognizer");
                return b;
            }

            return i + 1;
        }

        /// <summary>A URL from <paramref name="start"/>, reading address characters from <paramref name="from"/>.</summary>
        private int Url(int start, int from)
        {
            var t = _t;
            int n = t.Length;
            int e = from;
            while (e < n && t[e] > ' ' && t[e] < 0x7F && t[e] is not ('<' or '>' or '"' or '\'' or '`' or '{' or '}' or '|' or '\\' or '^'))
            {
                e++;
            }

            while (e > from && t[e - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or ']')
            {
                e--;
            }

            // After "www" the host needs a dot of its own ("www.example.com", not "www.example").
            var host = t[from] == '.' ? t[(from + 1)..e] : t[from..e];
            if (e - from < 3 || host.IndexOf('.') < 0 && !host.StartsWith("localhost", StringComparison.OrdinalIgnoreCase))
            {
                return from;
            }

            Add(SafetyFindingTypes.Url, start, e, 0.6, "UrlRecognizer");
            return e;
        }
    }
}
