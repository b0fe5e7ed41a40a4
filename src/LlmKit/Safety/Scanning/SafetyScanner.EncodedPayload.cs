using System.Buffers;
using System.Text;

namespace LlmKit;

// Base64 and hex payloads, decoded and scanned again for injection phrasing.
internal static partial class SafetyScanner
{
    private const int MaxPayload = 16_384;

    private ref partial struct ScanState
    {
        /// <summary>A Base64 or hex run from <paramref name="i"/> that decodes to text with injection phrasing; returns its end or 0.</summary>
        private int EncodedPayload(int i, int tokenEnd, bool mixedCase, bool hex)
        {
            if (_depth >= 2)
            {
                return 0;
            }

            int e = PayloadEnd(i, tokenEnd, mixedCase, hex);
            if (e == 0)
            {
                return 0;
            }

            var t = _t;
            int length = e - i;
            byte[] bytes = ArrayPool<byte>.Shared.Rent(length);
            char[]? chars = null;
            try
            {
                int written;
                if (hex)
                {
                    written = 0;
                    for (int k = i; k < e; k += 2)
                    {
                        bytes[written++] = (byte)((HexValue(t[k]) << 4) | HexValue(t[k + 1]));
                    }
                }
                else
                {
                    // Accept URL-safe and unpadded Base64 by rewriting into a padded standard form.
                    chars = ArrayPool<char>.Shared.Rent(length + 3);
                    int m = 0;
                    for (int k = i; k < e; k++)
                    {
                        char c = t[k];
                        if (c == '=')
                        {
                            continue;
                        }

                        chars[m++] = c == '-' ? '+' : c == '_' ? '/' : c;
                    }

                    while (m % 4 != 0)
                    {
                        chars[m++] = '=';
                    }

                    if (!Convert.TryFromBase64Chars(chars.AsSpan(0, m), bytes, out written))
                    {
                        return 0;
                    }
                }

                var decoded = bytes.AsSpan(0, written);
                if (!MostlyText(decoded))
                {
                    return 0;
                }

                double best = DecodedInjectionScore(decoded);
                if (best >= 0.5)
                {
                    Add(SafetyFindingTypes.PromptInjection, i, e, Math.Max(0.85, best), "EncodedPayloadRecognizer");
                    return e;
                }

                return 0;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
                if (chars is not null)
                {
                    ArrayPool<char>.Shared.Return(chars);
                }
            }
        }

        /// <summary>The end of the Base64 (mixed case, 20 characters or more) or hex (24 digits or more) run from <paramref name="i"/>; 0 if there is none.</summary>
        private readonly int PayloadEnd(int i, int tokenEnd, bool mixedCase, bool hex)
        {
            var t = _t;
            int n = t.Length;
            int e = tokenEnd;
            if (!hex)
            {
                if (!mixedCase)
                {
                    return 0;
                }

                while (e < n && e - i < MaxPayload && (char.IsAsciiLetterOrDigit(t[e]) || t[e] is '+' or '/' or '-' or '_'))
                {
                    e++;
                }

                int pad = 0;
                while (e < n && t[e] == '=' && pad < 2)
                {
                    e++;
                    pad++;
                }

                if (e - i < 20 || (e < n && IsWordChar(t[e])))
                {
                    return 0;
                }
            }
            else if ((e - i) % 2 != 0 || e - i < 24 || e - i > MaxPayload)
            {
                return 0;
            }

            return e;
        }

        /// <summary>The highest prompt-injection score a scan one level deeper finds in the decoded UTF-8 <paramref name="decoded"/>.</summary>
        private readonly double DecodedInjectionScore(ReadOnlySpan<byte> decoded)
        {
            int charCount = Encoding.UTF8.GetCharCount(decoded);
            char[] text = ArrayPool<char>.Shared.Rent(charCount);
            try
            {
                int count = Encoding.UTF8.GetChars(decoded, text);
                var inner = new List<SafetyFinding>();
                Scan(text.AsSpan(0, count), inner, _depth + 1, _phones);
                double best = 0;
                foreach (var f in inner)
                {
                    if (f.Type == SafetyFindingTypes.PromptInjection && f.Score > best)
                    {
                        best = f.Score;
                    }
                }

                return best;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(text);
            }
        }

        private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        private static bool MostlyText(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length < 8)
            {
                return false;
            }

            int printable = 0;
            foreach (byte b in bytes)
            {
                if (b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t' or >= 0x80)
                {
                    printable++;
                }
            }

            return printable * 10 >= bytes.Length * 9 && System.Text.Unicode.Utf8.IsValid(bytes);
        }
    }
}
