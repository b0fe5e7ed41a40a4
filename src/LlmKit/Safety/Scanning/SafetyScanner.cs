namespace LlmKit;

/// <summary>
/// The hand-written single-pass scanner behind <see cref="BuiltInSafetyRecognizer"/>: one walk over the text finds
/// every PII candidate and prompt-injection signal at its anchor character (a digit, a letter at a token start,
/// <c>@</c>, <c>:</c>, <c>&lt;</c>, <c>[</c>, a delimiter at a line start) and validates it on the spot (Luhn, mod-97,
/// Base58Check, Bech32, ABA, SSN ranges, dates, IP parsing). Context words seen earlier in the text raise or lower
/// the scores of later candidates. Allocates nothing per character; candidates that need decoding (Base64, hex) rent
/// their buffers. The dispatch loop and the context words are here; each kind of candidate has its own partial
/// file (numbers, tokens, phrases, role tags, addresses, encoded payloads).
/// </summary>
internal static partial class SafetyScanner
{
    /// <summary>The characters before a candidate in which a context word counts.</summary>
    private const int ContextWindow = 60;

    // ASCII character classes.
    private const byte Other = 0, Letter = 1, Digit = 2, At = 3, ColonMark = 4, Lt = 5, LBracket = 6, LineMark = 7, Plus = 8, LParen = 9, NewLine = 10, Blank = 11;

    private static readonly byte[] Classes = CreateClasses();

    /// <summary>Scans <paramref name="text"/> and adds findings with offsets relative to it.</summary>
    /// <param name="text">The (normalised) text.</param>
    /// <param name="findings">Where findings go.</param>
    /// <param name="depth">The decoding depth (0 for the text itself, 1 for a decoded payload).</param>
    /// <param name="phones">Validates phone numbers; <see langword="null"/> uses <see cref="PhoneNumberMatcher.Default"/> (no preferred region).</param>
    public static void Scan(ReadOnlySpan<char> text, List<SafetyFinding> findings, int depth = 0, PhoneNumberMatcher? phones = null)
    {
        Span<int> context = stackalloc int[11];
        context.Fill(int.MinValue / 2);
        var s = new ScanState(text, findings, context, depth, phones ?? PhoneNumberMatcher.Default);
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

    private ref partial struct ScanState
    {
        private readonly ReadOnlySpan<char> _t;
        private readonly List<SafetyFinding> _findings;
        private readonly Span<int> _context;
        private readonly int _depth;
        private readonly PhoneNumberMatcher _phones;
        private int _lastNegationEnd;
        private int _lastDelimiterEnd;

        public ScanState(ReadOnlySpan<char> text, List<SafetyFinding> findings, Span<int> context, int depth, PhoneNumberMatcher phones)
        {
            _phones = phones;
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

        private readonly void Add(string type, int start, int end, double score, string recognizer, string? detail = null)
            => _findings.Add(new SafetyFinding(type, start, end - start, Math.Clamp(score, 0, 1), recognizer) { Detail = detail });

        /// <summary>Raises a signal right after a delimiter line (the shape of a delimiter attack).</summary>
        private readonly double Boost(int i, double score) => _lastDelimiterEnd >= i - 120 && _lastDelimiterEnd >= 0 ? Math.Min(1, score + 0.1) : score;
    }
}
