using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmKit;

/// <summary>
/// The hand-written single-pass scanner behind <see cref="BuiltInSafetyRecognizer"/>: one walk over the text finds
/// every PII candidate and prompt-injection signal at its anchor character (a digit, a letter at a token start,
/// <c>@</c>, <c>:</c>, <c>&lt;</c>, <c>[</c>, a delimiter at a line start) and validates it on the spot (Luhn, mod-97,
/// Base58Check, Bech32, ABA, SSN ranges, dates, IP parsing). Context words seen earlier in the text raise or lower
/// the scores of later candidates. Allocates nothing per character; candidates that need decoding (Base64, hex) rent
/// their buffers.
/// </summary>
internal static class SafetyScanner
{
    /// <summary>The characters before a candidate in which a context word counts.</summary>
    private const int ContextWindow = 60;

    private const int MaxDigits = 24;
    private const int MaxPayload = 16_384;

    // ASCII character classes.
    private const byte Other = 0, Letter = 1, Digit = 2, At = 3, ColonMark = 4, Lt = 5, LBracket = 6, LineMark = 7, Plus = 8, LParen = 9, NewLine = 10, Blank = 11;

    private static readonly byte[] Classes = CreateClasses();

    /// <summary>Scans <paramref name="text"/> and adds findings with offsets relative to it.</summary>
    /// <param name="text">The (normalised) text.</param>
    /// <param name="findings">Where findings go.</param>
    /// <param name="depth">The decoding depth (0 for the text itself, 1 for a decoded payload).</param>
    public static void Scan(ReadOnlySpan<char> text, List<SafetyFinding> findings, int depth = 0)
    {
        Span<int> context = stackalloc int[10];
        context.Fill(int.MinValue / 2);
        var s = new ScanState(text, findings, context, depth);
        s.Run();
    }

    private static byte[] CreateClasses()
    {
        var classes = new byte[128];
        for (char c = 'a'; c <= 'z'; c++)
        {
            classes[c] = Letter;
            classes[char.ToUpperInvariant(c)] = Letter;
        }

        for (char c = '0'; c <= '9'; c++)
        {
            classes[c] = Digit;
        }

        classes['@'] = At;
        classes[':'] = ColonMark;
        classes['<'] = Lt;
        classes['['] = LBracket;
        foreach (char c in "=-#*~_")
        {
            classes[c] = LineMark;
        }

        classes['+'] = Plus;
        classes['('] = LParen;
        classes['\n'] = NewLine;
        classes[' '] = Blank;
        classes['\t'] = Blank;
        classes['\r'] = Blank;
        return classes;
    }

    private static bool IsAsciiDigit(ReadOnlySpan<char> t, int i) => (uint)i < (uint)t.Length && char.IsAsciiDigit(t[i]);

    private static bool IsWordChar(char c) => c < 0x80 ? char.IsAsciiLetterOrDigit(c) || c == '_' : char.IsLetterOrDigit(c);

    private ref struct ScanState
    {
        private readonly ReadOnlySpan<char> _t;
        private readonly List<SafetyFinding> _findings;
        private readonly Span<int> _context;
        private readonly int _depth;
        private int _lastNegationEnd;
        private int _lastDelimiterEnd;

        public ScanState(ReadOnlySpan<char> text, List<SafetyFinding> findings, Span<int> context, int depth)
        {
            _t = text;
            _findings = findings;
            _context = context;
            _depth = depth;
            _lastNegationEnd = int.MinValue / 2;
            _lastDelimiterEnd = int.MinValue / 2;
        }

        public void Run()
        {
            var t = _t;
            int n = t.Length;
            int i = 0;
            bool lineStart = true;
            while (i < n)
            {
                char c = t[i];
                if (c >= 0x80)
                {
                    if (char.IsLetter(c))
                    {
                        i = Token(i, lineStart);
                    }
                    else
                    {
                        i++;
                    }

                    lineStart = false;
                    continue;
                }

                switch (Classes[c])
                {
                    case Letter:
                    case Digit:
                        i = Token(i, lineStart);
                        lineStart = false;
                        break;
                    case At:
                        i = Email(i);
                        lineStart = false;
                        break;
                    case ColonMark:
                        i = Colon(i);
                        lineStart = false;
                        break;
                    case Lt:
                        i = AngleTag(i);
                        lineStart = false;
                        break;
                    case LBracket:
                        i = BracketTag(i);
                        lineStart = false;
                        break;
                    case LineMark:
                        i = lineStart ? LineMarker(i) : i + 1;
                        lineStart = false;
                        break;
                    case Plus:
                    case LParen:
                        i = IsAsciiDigit(t, i + 1) && (i == 0 || !IsWordChar(t[i - 1])) ? Number(i) : i + 1;
                        lineStart = false;
                        break;
                    case NewLine:
                        lineStart = true;
                        i++;
                        break;
                    case Blank:
                        i++;
                        break;
                    default:
                        lineStart = false;
                        i++;
                        break;
                }
            }
        }

        private readonly bool HasContext(ContextKinds kind, int position)
            => _context[System.Numerics.BitOperations.TrailingZeroCount((int)kind)] >= position - ContextWindow;

        private readonly void MarkContext(ContextKinds kinds, int end)
        {
            int bits = (int)kinds;
            while (bits != 0)
            {
                int k = System.Numerics.BitOperations.TrailingZeroCount(bits);
                _context[k] = end;
                bits &= bits - 1;
            }
        }

        private readonly void Add(string type, int start, int end, double score, string recognizer)
            => _findings.Add(new SafetyFinding(type, start, end - start, Math.Clamp(score, 0, 1), recognizer));

        /// <summary>A token of letters and digits starting at <paramref name="i"/>.</summary>
        private int Token(int i, bool lineStart)
        {
            var t = _t;
            int n = t.Length;
            int j = i;
            bool letters = false, digits = false, nonAscii = false, lower = false, upper = false, hex = true;
            while (j < n)
            {
                char c = t[j];
                if (c < 0x80)
                {
                    if (char.IsAsciiDigit(c))
                    {
                        digits = true;
                    }
                    else if (char.IsAsciiLetterLower(c))
                    {
                        letters = lower = true;
                        hex &= c <= 'f';
                    }
                    else if (char.IsAsciiLetterUpper(c))
                    {
                        letters = upper = true;
                        hex &= c <= 'F';
                    }
                    else
                    {
                        break;
                    }
                }
                else if (char.IsLetter(c))
                {
                    letters = nonAscii = true;
                    hex = false;
                }
                else
                {
                    break;
                }

                j++;
            }

            if (!letters)
            {
                return Number(i);
            }

            int len = j - i;
            char c0 = t[i];
            if (!digits)
            {
                Word(i, j, lineStart);
                if (len == 3 && (c0 | 0x20) == 'w' && (t[i + 1] | 0x20) == 'w' && (t[i + 2] | 0x20) == 'w' && j + 1 < n && t[j] == '.' && char.IsAsciiLetterOrDigit(t[j + 1]))
                {
                    return Url(i, j);
                }
            }

            if (nonAscii)
            {
                return j;
            }

            if (digits)
            {
                if (len >= 4 && char.IsAsciiLetterUpper(c0) && char.IsAsciiLetterUpper(t[i + 1]) && char.IsAsciiDigit(t[i + 2]) && char.IsAsciiDigit(t[i + 3]))
                {
                    int ibanEnd = Iban(i);
                    if (ibanEnd > 0)
                    {
                        return ibanEnd;
                    }
                }

                if ((c0 is '1' or '3') && len is >= 26 and <= 35 && PiiChecksums.BitcoinBase58Check(t[i..j]))
                {
                    Add(SafetyFindingTypes.CryptoWallet, i, j, 0.95, "CryptoWalletRecognizer");
                    return j;
                }

                if (len >= 14 && (c0 | 0x20) == 'b' && (t[i + 1] | 0x20) == 'c' && t[i + 2] == '1' && PiiChecksums.BitcoinBech32(t[i..j]))
                {
                    Add(SafetyFindingTypes.CryptoWallet, i, j, 0.95, "CryptoWalletRecognizer");
                    return j;
                }

                if (len == 42 && c0 == '0' && t[i + 1] == 'x' && t[(i + 2)..j].IndexOfAnyExcept(HexChars) < 0)
                {
                    Add(SafetyFindingTypes.CryptoWallet, i, j, HasContext(ContextKinds.Crypto, i) ? 0.9 : 0.6, "CryptoWalletRecognizer");
                    return j;
                }

                if ((c0 | 0x20) == 'v' && t[(i + 1)..j].IndexOfAnyExceptInRange('0', '9') < 0)
                {
                    MarkContext(ContextKinds.Version, j);
                }
            }

            // Encoded payloads: long Base64 or hex runs that decode to text.
            if (len >= 16 || (j < n && t[j] is '+' or '/' or '='))
            {
                int end = EncodedPayload(i, j, lower && upper, hex && digits);
                if (end > 0)
                {
                    return end;
                }
            }

            if (digits)
            {
                if (HasContext(ContextKinds.Passport, i) && len is >= 6 and <= 10 && t[i..j].IndexOfAnyInRange('a', 'z') < 0)
                {
                    Add(SafetyFindingTypes.Passport, i, j, 0.8, "PassportRecognizer");
                }
                else if (HasContext(ContextKinds.DriverLicense, i) && len is >= 5 and <= 16)
                {
                    // Licence numbers are often written in hyphenated groups (D1234-56789-01234).
                    while (j + 1 < n && t[j] == '-' && char.IsAsciiLetterOrDigit(t[j + 1]))
                    {
                        j++;
                        while (j < n && char.IsAsciiLetterOrDigit(t[j]))
                        {
                            j++;
                        }
                    }

                    Add(SafetyFindingTypes.DriverLicense, i, j, 0.75, "DriverLicenseRecognizer");
                }
            }

            return j;
        }

        private static ReadOnlySpan<char> HexChars => "0123456789abcdefABCDEF";

        /// <summary>A word of letters: context words and injection phrasing.</summary>
        private void Word(int i, int j, bool lineStart)
        {
            int len = j - i;
            if (len < 2 || len > SafetyLexicon.MaxLength || !SafetyLexicon.MayContain(_t[i..j]) || !SafetyLexicon.Lookup.TryGetValue(_t[i..j], out var info))
            {
                // Compounds such as AssemblyVersion or FileVersion introduce version numbers too.
                if (len > 7 && (_t[j - 1] | 0x20) == 'n' && _t[i..j].EndsWith("version", StringComparison.OrdinalIgnoreCase))
                {
                    MarkContext(ContextKinds.Version, j);
                }

                return;
            }

            if (info.Context != ContextKinds.None)
            {
                MarkContext(info.Context, j);
            }

            var roles = info.Roles;
            if (roles == InjectionRoles.None)
            {
                return;
            }

            if ((roles & InjectionRoles.Negation) != 0)
            {
                _lastNegationEnd = j;
            }

            if (lineStart && (roles & InjectionRoles.Qualifier) != 0 && len == 6 && j < _t.Length && _t[j] == ':' && _t[i..j].Equals("system", StringComparison.OrdinalIgnoreCase))
            {
                // "System: ..." at a line start in user text poses as a system turn.
                Add(SafetyFindingTypes.PromptInjection, i, j + 1, Boost(i, char.IsAsciiLetterUpper(_t[i + 1]) ? 0.65 : 0.55), "RoleTagRecognizer");
                return;
            }

            const InjectionRoles triggers = InjectionRoles.OverrideVerb | InjectionRoles.RevealVerb | InjectionRoles.NewMarker | InjectionRoles.EndMarker | InjectionRoles.Developer | InjectionRoles.Jailbreak;
            if ((roles & triggers) != 0)
            {
                Phrase(i, j, roles);
            }
        }

        /// <summary>Scores the phrase a trigger word starts from the words that follow it in the same sentence.</summary>
        private void Phrase(int i, int j, InjectionRoles trigger)
        {
            var t = _t;
            int n = t.Length;
            bool obj = false, qual = false, strong = false, endObject = false, mode = false, colonAfterObject = false;
            int end = j, k = j, words = 0;
            while (words < 7 && k < n && k - j < 90)
            {
                char c = t[k];
                if (c is '.' or '!' or '?' or '\n' or ';')
                {
                    break;
                }

                if (!(char.IsAsciiLetter(c) || (c >= 0x80 && char.IsLetter(c))))
                {
                    k++;
                    continue;
                }

                int ws = k;
                while (k < n && (char.IsAsciiLetter(t[k]) || (t[k] >= 0x80 && char.IsLetter(t[k])) || (t[k] == '\'' && k + 1 < n && char.IsAsciiLetter(t[k + 1]))))
                {
                    k++;
                }

                words++;
                var word = t[ws..k];
                if (words == 1 && (word.Equals("mode", StringComparison.OrdinalIgnoreCase) || word.Equals("modus", StringComparison.OrdinalIgnoreCase) || word.Equals("modo", StringComparison.OrdinalIgnoreCase)))
                {
                    mode = true;
                    end = k;
                }

                if (word.Length < 2 || word.Length > SafetyLexicon.MaxLength || !SafetyLexicon.MayContain(word) || !SafetyLexicon.Lookup.TryGetValue(word, out var info))
                {
                    continue;
                }

                var r = info.Roles;
                if ((r & InjectionRoles.Object) != 0)
                {
                    obj = true;
                    end = k;
                    colonAfterObject = words == 1 && k < n && t[k] == ':';
                }

                if ((r & InjectionRoles.Qualifier) != 0)
                {
                    qual = true;
                }

                if ((r & InjectionRoles.StrongQualifier) != 0)
                {
                    strong = true;
                    end = Math.Max(end, k);
                }

                if ((r & InjectionRoles.EndObject) != 0 && words <= 3)
                {
                    endObject = true;
                    end = Math.Max(end, k);
                }
            }

            double score = 0;
            string recognizer = "InstructionOverrideRecognizer";
            if ((trigger & InjectionRoles.OverrideVerb) != 0)
            {
                score = obj && qual ? 0.9 : strong ? 0.7 : obj ? 0.6 : 0;
            }

            if ((trigger & InjectionRoles.RevealVerb) != 0 && obj && qual)
            {
                score = Math.Max(score, 0.8);
            }

            if ((trigger & InjectionRoles.NewMarker) != 0 && colonAfterObject)
            {
                score = Math.Max(score, 0.7);
                end++;
            }

            if ((trigger & InjectionRoles.Developer) != 0 && mode)
            {
                score = Math.Max(score, 0.65);
            }

            if ((trigger & InjectionRoles.Jailbreak) != 0)
            {
                score = Math.Max(score, 0.5);
            }

            if ((trigger & InjectionRoles.EndMarker) != 0 && endObject)
            {
                // "END OF USER INPUT" in capitals or next to a delimiter line closes a fence; "the end of the document" does not.
                bool shouting = char.IsAsciiLetterUpper(t[i]) && j - i > 1 && char.IsAsciiLetterUpper(t[i + 1]);
                bool delimited = _lastDelimiterEnd >= i - 4 || (end < n && NextNonBlankIsDelimiter(end));
                double s = shouting || delimited ? 0.8 : 0.45;
                if (s > score)
                {
                    score = s;
                    recognizer = "DelimiterRecognizer";
                }
            }

            if (score <= 0)
            {
                return;
            }

            if (_lastNegationEnd >= i - 12)
            {
                score *= 0.3;
            }

            if (i > 0 && t[i - 1] is '"' or '\'' or '`' or '“' or '„' or '«' or '‘')
            {
                score *= 0.7;
            }

            Add(SafetyFindingTypes.PromptInjection, i, end, Boost(i, score), recognizer);
        }

        private readonly bool NextNonBlankIsDelimiter(int k)
        {
            var t = _t;
            while (k < t.Length && t[k] == ' ')
            {
                k++;
            }

            return k + 1 < t.Length && t[k] is '-' or '=' or '#' or '*' or ']' or '>' or '|' && t[k + 1] == t[k];
        }

        /// <summary>Raises a signal right after a delimiter line (the shape of a delimiter attack).</summary>
        private readonly double Boost(int i, double score) => _lastDelimiterEnd >= i - 120 && _lastDelimiterEnd >= 0 ? Math.Min(1, score + 0.1) : score;

        /// <summary>A run of delimiter characters or a Markdown role header at a line start.</summary>
        private int LineMarker(int i)
        {
            var t = _t;
            int n = t.Length;
            char c = t[i];
            int j = i;
            while (j < n && t[j] == c)
            {
                j++;
            }

            int run = j - i;
            if (c == '#' && run >= 2 && j < n && t[j] == ' ')
            {
                int ws = j + 1;
                int we = ws;
                while (we < n && char.IsAsciiLetter(t[we]))
                {
                    we++;
                }

                var role = t[ws..we];
                bool colon = we < n && t[we] == ':';
                if (colon && (role.Equals("system", StringComparison.OrdinalIgnoreCase) || role.Equals("instruction", StringComparison.OrdinalIgnoreCase) || role.Equals("instructions", StringComparison.OrdinalIgnoreCase)))
                {
                    Add(SafetyFindingTypes.PromptInjection, i, we + 1, Boost(i, 0.8), "RoleTagRecognizer");
                    return we + 1;
                }

                if (colon && (role.Equals("assistant", StringComparison.OrdinalIgnoreCase) || role.Equals("response", StringComparison.OrdinalIgnoreCase) || role.Equals("human", StringComparison.OrdinalIgnoreCase) || role.Equals("user", StringComparison.OrdinalIgnoreCase)))
                {
                    Add(SafetyFindingTypes.PromptInjection, i, we + 1, Boost(i, 0.6), "RoleTagRecognizer");
                    return we + 1;
                }
            }

            if (run >= 5)
            {
                int lineEnd = t[j..].IndexOf('\n');
                _lastDelimiterEnd = lineEnd < 0 ? n : j + lineEnd;
            }

            return j;
        }

        /// <summary><c>&lt;|im_start|&gt;</c>, <c>&lt;&lt;SYS&gt;&gt;</c>, <c>&lt;system&gt;</c>, <c>&lt;/untrusted&gt;</c> and friends.</summary>
        private int AngleTag(int i)
        {
            var t = _t;
            int n = t.Length;
            if (i + 3 >= n)
            {
                return i + 1;
            }

            if (t[i + 1] == '|')
            {
                int close = t.Slice(i + 2, Math.Min(32, n - i - 2)).IndexOf("|>");
                if (close > 1)
                {
                    int end = i + 2 + close + 2;
                    Add(SafetyFindingTypes.PromptInjection, i, end, Boost(i, 0.9), "RoleTagRecognizer");
                    return end;
                }

                return i + 1;
            }

            if (t[i + 1] == '<')
            {
                var rest = t[i..];
                int len = rest.StartsWith("<<SYS>>", StringComparison.OrdinalIgnoreCase) ? 7 : rest.StartsWith("<</SYS>>", StringComparison.OrdinalIgnoreCase) ? 8 : 0;
                if (len > 0)
                {
                    Add(SafetyFindingTypes.PromptInjection, i, i + len, Boost(i, 0.9), "RoleTagRecognizer");
                    return i + len;
                }

                return i + 1;
            }

            bool closing = t[i + 1] == '/';
            int ns = closing ? i + 2 : i + 1;
            int ne = ns;
            while (ne < n && ne - ns < 24 && (char.IsAsciiLetter(t[ne]) || t[ne] == '_'))
            {
                ne++;
            }

            if (ne == ns || ne >= n || !(t[ne] == '>' || t[ne] == ' '))
            {
                return i + 1;
            }

            int gt = t.Slice(ne, Math.Min(80, n - ne)).IndexOf('>');
            if (gt < 0)
            {
                return i + 1;
            }

            int tagEnd = ne + gt + 1;
            var name = t[ns..ne];
            double score;
            string recognizer = "RoleTagRecognizer";
            if (name.Equals("untrusted", StringComparison.OrdinalIgnoreCase))
            {
                score = closing ? 0.95 : 0.85;
                recognizer = "DelimiterRecognizer";
            }
            else if (name.StartsWith("system", StringComparison.OrdinalIgnoreCase) || name.Equals("instructions", StringComparison.OrdinalIgnoreCase) || name.Equals("sys", StringComparison.OrdinalIgnoreCase))
            {
                score = 0.85;
            }
            else if (name.Equals("assistant", StringComparison.OrdinalIgnoreCase) || name.Equals("user", StringComparison.OrdinalIgnoreCase) || name.Equals("human", StringComparison.OrdinalIgnoreCase))
            {
                score = 0.6;
            }
            else if (closing && (name.Equals("document", StringComparison.OrdinalIgnoreCase) || name.Equals("documents", StringComparison.OrdinalIgnoreCase) || name.Equals("context", StringComparison.OrdinalIgnoreCase) || name.Equals("tool_result", StringComparison.OrdinalIgnoreCase) || name.Equals("user_input", StringComparison.OrdinalIgnoreCase)))
            {
                score = 0.6;
                recognizer = "DelimiterRecognizer";
            }
            else
            {
                return i + 1;
            }

            Add(SafetyFindingTypes.PromptInjection, i, tagEnd, Boost(i, score), recognizer);
            return tagEnd;
        }

        /// <summary><c>[INST]</c>, <c>[/INST]</c>, <c>[SYSTEM]</c>.</summary>
        private int BracketTag(int i)
        {
            var t = _t;
            int n = t.Length;
            int close = t.Slice(i + 1, Math.Min(16, n - i - 1)).IndexOf(']');
            if (close < 2)
            {
                return i + 1;
            }

            var name = t.Slice(i + 1, close);
            if (name.Length > 0 && name[0] == '/')
            {
                name = name[1..];
            }

            double score = name.Equals("INST", StringComparison.Ordinal) || name.Equals("SYS", StringComparison.Ordinal) ? 0.9
                : name.Equals("system", StringComparison.OrdinalIgnoreCase) || name.Equals("inst", StringComparison.OrdinalIgnoreCase) ? 0.75
                : name.Equals("assistant", StringComparison.OrdinalIgnoreCase) ? 0.55
                : 0;
            if (score == 0)
            {
                return i + 1;
            }

            int end = i + 1 + close + 1;
            Add(SafetyFindingTypes.PromptInjection, i, end, Boost(i, score), "RoleTagRecognizer");
            return end;
        }

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
            while (e < n && e - at < 255 && (char.IsAsciiLetterOrDigit(t[e]) || t[e] is '.' or '-'))
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
            if (tld.Length < 2 || !IsAsciiLetters(tld))
            {
                return at + 1;
            }

            Add(SafetyFindingTypes.Email, s, e, 0.95, "EmailRecognizer");
            return e;
        }

        private static bool IsAsciiLetters(ReadOnlySpan<char> s)
        {
            foreach (char c in s)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }
            }

            return true;
        }

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

            if (e - from < 3 || t[from..e].IndexOf('.') < 0 && !t[from..e].StartsWith("localhost", StringComparison.OrdinalIgnoreCase))
            {
                return from;
            }

            Add(SafetyFindingTypes.Url, start, e, 0.6, "UrlRecognizer");
            return e;
        }

        /// <summary>An IBAN from <paramref name="i"/>, compact or in groups of four; returns its end or 0.</summary>
        private readonly int Iban(int i)
        {
            var t = _t;
            int n = t.Length;
            int length = PiiChecksums.IbanLength(t[i], t[i + 1]);
            if (length == 0)
            {
                return 0;
            }

            Span<char> buffer = stackalloc char[34];
            int m = 0, group = 0, j = i, end = i;
            while (j < n && m < length)
            {
                char c = t[j];
                if (char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))
                {
                    buffer[m++] = c;
                    group++;
                    j++;
                    end = j;
                }
                else if (c == ' ' && group == 4 && j + 1 < n && char.IsAsciiLetterOrDigit(t[j + 1]))
                {
                    group = 0;
                    j++;
                }
                else
                {
                    break;
                }
            }

            if (m != length || (end < n && char.IsAsciiLetterOrDigit(t[end])) || !PiiChecksums.IbanMod97(buffer[..m]))
            {
                return 0;
            }

            Add(SafetyFindingTypes.Iban, i, end, 0.95, "IbanRecognizer");
            return end;
        }

        /// <summary>A run of digits with separators from <paramref name="i"/> (which may be <c>+</c> or <c>(</c>): card, SSN, phone, IPv4, date, routing number.</summary>
        private int Number(int i)
        {
            var t = _t;
            int n = t.Length;
            int j = i;
            bool plus = false, paren = false, mixed = false;
            char sep = '\0';
            if (t[j] == '+')
            {
                plus = true;
                j++;
            }

            if (j < n && t[j] == '(')
            {
                paren = true;
                j++;
            }

            Span<char> digits = stackalloc char[MaxDigits];
            Span<int> lens = stackalloc int[8];
            int nd = 0, groups = 0;
            while (true)
            {
                int gs = j;
                while (j < n && char.IsAsciiDigit(t[j]))
                {
                    if (nd < MaxDigits)
                    {
                        digits[nd] = t[j];
                    }

                    nd++;
                    j++;
                }

                if (j == gs)
                {
                    break;
                }

                if (groups < lens.Length)
                {
                    lens[groups] = j - gs;
                }

                groups++;
                int k = j;
                if (k < n && t[k] == ')' && paren)
                {
                    k++;
                }

                if (k < n && t[k] is ' ' or '-' or '.' or '/')
                {
                    char s = t[k];
                    k++;
                    if (k < n && char.IsAsciiDigit(t[k]))
                    {
                        if (k - j == 1)
                        {
                            if (sep == '\0')
                            {
                                sep = s;
                            }
                            else if (sep != s)
                            {
                                mixed = true;
                            }
                        }

                        j = k;
                        continue;
                    }
                }
                else if (k > j && k < n && char.IsAsciiDigit(t[k]))
                {
                    j = k;
                    continue;
                }

                break;
            }

            if (nd == 0)
            {
                return j > i ? j : i + 1;
            }

            // Glued to letters ("17th", "2024-05-17T10") or followed by a time ("10:30"): not PII.
            if (j < n && (char.IsAsciiLetter(t[j]) || t[j] == '_' || (t[j] == ':' && IsAsciiDigit(t, j + 1))))
            {
                return SkipWord(j);
            }

            if (nd > MaxDigits || groups > lens.Length)
            {
                return j;
            }

            var d = digits[..nd];
            bool reference = HasContext(ContextKinds.Reference, i);
            bool plain = !plus && !paren;

            // IPv4
            if (plain && sep == '.' && !mixed && groups == 4)
            {
                if (ValidIpv4(t[i..j]))
                {
                    Add(SafetyFindingTypes.IpAddress, i, j, HasContext(ContextKinds.Version, i) ? 0.1 : 0.6, "IpAddressRecognizer");
                }

                return j;
            }

            // Dates (a date is never a phone or a card)
            if (plain && !mixed && groups == 3 && sep is '-' or '/' or '.' && IsDate(d, lens[0], lens[1], lens[2]))
            {
                bool timestamp = j + 2 < n && t[j] == ' ' && IsAsciiDigit(t, j + 1) && (t[j + 2] == ':' || (IsAsciiDigit(t, j + 2) && j + 3 < n && t[j + 3] == ':'));
                if (!timestamp && HasContext(ContextKinds.Birth, i))
                {
                    Add(SafetyFindingTypes.DateOfBirth, i, j, 0.85, "DateOfBirthRecognizer");
                }

                return j;
            }

            // US SSN: ddd-dd-dddd
            if (plain && !mixed && groups == 3 && lens[0] == 3 && lens[1] == 2 && lens[2] == 4 && sep is '-' or ' ')
            {
                if (PiiChecksums.ValidUsSsn(d))
                {
                    double score = (HasContext(ContextKinds.Ssn, i) ? 0.9 : 0.65) * (reference ? 0.5 : 1);
                    Add(SafetyFindingTypes.UsSsn, i, j, score, "UsSsnRecognizer");
                }

                return j;
            }

            // Payment cards
            if (plain && !mixed && nd is >= 13 and <= 19 && (groups == 1 || (sep is ' ' or '-' && CardGroups(lens[..groups]))))
            {
                if (PiiChecksums.Luhn(d))
                {
                    double score = PiiChecksums.KnownCardIssuer(d) ? (groups > 1 ? 0.9 : 0.8) : 0.3;
                    if (HasContext(ContextKinds.Card, i))
                    {
                        score += 0.1;
                    }
                    else if (reference && groups == 1)
                    {
                        score *= 0.5;
                    }

                    Add(SafetyFindingTypes.CreditCard, i, j, score, "CreditCardRecognizer");
                    return j;
                }

                if (groups > 1 || !HasContext(ContextKinds.Phone, i))
                {
                    return j;
                }
            }

            // Nine plain digits: routing number, SSN, passport by context
            if (plain && groups == 1 && nd == 9)
            {
                if (HasContext(ContextKinds.Routing, i) && PiiChecksums.AbaRouting(d))
                {
                    Add(SafetyFindingTypes.AbaRouting, i, j, 0.85, "AbaRoutingRecognizer");
                }
                else if (HasContext(ContextKinds.Ssn, i) && PiiChecksums.ValidUsSsn(d))
                {
                    Add(SafetyFindingTypes.UsSsn, i, j, 0.8, "UsSsnRecognizer");
                }
                else if (HasContext(ContextKinds.Passport, i))
                {
                    Add(SafetyFindingTypes.Passport, i, j, 0.8, "PassportRecognizer");
                }
                else if (HasContext(ContextKinds.DriverLicense, i))
                {
                    Add(SafetyFindingTypes.DriverLicense, i, j, 0.75, "DriverLicenseRecognizer");
                }
                else if (HasContext(ContextKinds.Phone, i))
                {
                    Add(SafetyFindingTypes.Phone, i, j, 0.6, "PhoneRecognizer");
                }
                else if (!reference && PiiChecksums.AbaRouting(d))
                {
                    Add(SafetyFindingTypes.AbaRouting, i, j, 0.3, "AbaRoutingRecognizer");
                }

                return j;
            }

            // Phones
            double phone = 0;
            if (plus)
            {
                phone = nd is >= 8 and <= 15 && d[0] != '0' ? 0.75 : 0;
            }
            else if (nd >= 2 && d[0] == '0' && d[1] == '0' && groups >= 2 && nd is >= 10 and <= 17)
            {
                phone = 0.6;
            }
            else if (paren && groups == 3 && lens[0] == 3 && lens[1] == 3 && lens[2] == 4)
            {
                phone = Nanp(d) ? 0.7 : 0;
            }
            else if (!mixed && groups == 3 && lens[0] == 3 && lens[1] == 3 && lens[2] == 4 && sep is '-' or '.' or ' ')
            {
                phone = Nanp(d) ? (sep == '.' ? 0.5 : 0.6) : 0;
            }
            else if (!mixed && groups >= 2 && d[0] == '0' && nd is >= 9 and <= 12 && sep is ' ' or '-' or '/')
            {
                phone = 0.5;
            }
            else if (groups == 1 && nd is >= 10 and <= 12 && HasContext(ContextKinds.Phone, i))
            {
                phone = 0.6;
            }

            if (phone > 0)
            {
                if (HasContext(ContextKinds.Phone, i))
                {
                    phone += 0.25;
                }

                if (reference)
                {
                    phone *= 0.4;
                }

                Add(SafetyFindingTypes.Phone, i, j, phone, "PhoneRecognizer");
                return j;
            }

            if (plain && groups == 1 && nd is >= 6 and <= 10 && HasContext(ContextKinds.Passport, i))
            {
                Add(SafetyFindingTypes.Passport, i, j, 0.75, "PassportRecognizer");
            }
            else if (plain && groups == 1 && nd is >= 5 and <= 16 && HasContext(ContextKinds.DriverLicense, i))
            {
                Add(SafetyFindingTypes.DriverLicense, i, j, 0.7, "DriverLicenseRecognizer");
            }

            return j;
        }

        private readonly int SkipWord(int j)
        {
            var t = _t;
            while (j < t.Length && IsWordChar(t[j]))
            {
                j++;
            }

            return j;
        }

        private static bool Nanp(ReadOnlySpan<char> d) => d.Length == 10 && d[0] >= '2' && d[3] >= '2';

        private static bool CardGroups(ReadOnlySpan<int> lens)
        {
            if (lens.Length == 3)
            {
                // Amex 4-6-5, Diners 4-6-4
                return lens[0] == 4 && lens[1] == 6 && lens[2] is 4 or 5;
            }

            for (int k = 0; k < lens.Length - 1; k++)
            {
                if (lens[k] != 4)
                {
                    return false;
                }
            }

            return lens.Length >= 4 && lens[^1] is >= 1 and <= 4;
        }

        private static bool ValidIpv4(ReadOnlySpan<char> s)
        {
            int octets = 0;
            foreach (var range in s.Split('.'))
            {
                var part = s[range];
                if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
                {
                    return false;
                }

                int value = 0;
                foreach (char c in part)
                {
                    value = (value * 10) + (c - '0');
                }

                if (value > 255)
                {
                    return false;
                }

                octets++;
            }

            return octets == 4;
        }

        private static bool IsDate(ReadOnlySpan<char> d, int a, int b, int c)
        {
            static int Num(ReadOnlySpan<char> s)
            {
                int v = 0;
                foreach (char ch in s)
                {
                    v = (v * 10) + (ch - '0');
                }

                return v;
            }

            if (a == 4 && b is 1 or 2 && c is 1 or 2)
            {
                return ValidDate(Num(d[..4]), Num(d.Slice(4, b)), Num(d.Slice(4 + b, c)));
            }

            if (a is 1 or 2 && b is 1 or 2 && c == 4)
            {
                int x = Num(d[..a]), y = Num(d.Slice(a, b)), year = Num(d.Slice(a + b, 4));
                return ValidDate(year, y, x) || ValidDate(year, x, y);
            }

            return false;
        }

        private static bool ValidDate(int year, int month, int day)
            => year is >= 1900 and <= 2100 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

        /// <summary>A Base64 or hex run from <paramref name="i"/> that decodes to text with injection phrasing; returns its end or 0.</summary>
        private int EncodedPayload(int i, int tokenEnd, bool mixedCase, bool hex)
        {
            if (_depth >= 2)
            {
                return 0;
            }

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

                int charCount = Encoding.UTF8.GetCharCount(decoded);
                char[] text = ArrayPool<char>.Shared.Rent(charCount);
                try
                {
                    int count = Encoding.UTF8.GetChars(decoded, text);
                    var inner = new List<SafetyFinding>();
                    Scan(text.AsSpan(0, count), inner, _depth + 1);
                    double best = 0;
                    foreach (var f in inner)
                    {
                        if (f.Type == SafetyFindingTypes.PromptInjection && f.Score > best)
                        {
                            best = f.Score;
                        }
                    }

                    if (best >= 0.5)
                    {
                        Add(SafetyFindingTypes.PromptInjection, i, e, Math.Max(0.85, best), "EncodedPayloadRecognizer");
                        return e;
                    }
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(text);
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
