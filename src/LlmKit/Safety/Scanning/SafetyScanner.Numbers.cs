namespace LlmKit;

// Digit runs: payment cards, SSNs, phones, IPv4 addresses, dates of birth, routing, passport and licence numbers.
internal static partial class SafetyScanner
{
    private const int MaxDigits = 24;
    private const int MaxGroups = 8;

    private ref partial struct ScanState
    {
        /// <summary>A run of digits with separators from <paramref name="i"/> (which may be <c>+</c> or <c>(</c>): card, SSN, phone, IPv4, date, routing number.</summary>
        private int Number(int i)
        {
            Span<char> digits = stackalloc char[MaxDigits];
            Span<int> lens = stackalloc int[MaxGroups];
            var run = new DigitRun(digits, lens);
            int j = ReadDigitRun(i, ref run);
            if (run.Count == 0)
            {
                return j > i ? j : i + 1;
            }

            // "(10.0.0.5)": a parenthesis that does not close after the first group only encloses the value.
            if (run.Paren && !run.Plus && !run.ParenClosed)
            {
                return Number(i + 1);
            }

            // Glued to letters ("17th", "2024-05-17T10") or followed by a time ("10:30"): not PII.
            var t = _t;
            if (j < t.Length && (char.IsAsciiLetter(t[j]) || t[j] == '_' || (t[j] == ':' && IsAsciiDigit(t, j + 1))))
            {
                return SkipWord(j);
            }

            int before = _findings.Count;
            if (run.Count <= MaxDigits && run.Groups <= MaxGroups)
            {
                ClassifyNumber(i, j, in run);
            }

            // Two values separated by one space ("4111111111111111 5500000000000004") read as one run that is
            // nothing: the first space-separated part is classified alone and the scan goes on after it.
            return _findings.Count == before && run.FirstSpace > 0 ? FirstPart(i, run.FirstSpace) : j;
        }

        /// <summary>Classifies the part of a run from <paramref name="i"/> that ends at the space at <paramref name="space"/>; returns where scanning goes on.</summary>
        private int FirstPart(int i, int space)
        {
            Span<char> digits = stackalloc char[MaxDigits];
            Span<int> lens = stackalloc int[MaxGroups];
            var run = new DigitRun(digits, lens);
            int j = ReadDigitRun(i, ref run, space);
            if (run.Count is > 0 and <= MaxDigits && run.Groups <= MaxGroups && !(run.Paren && !run.Plus && !run.ParenClosed))
            {
                ClassifyNumber(i, j, in run);
            }

            return space + 1;
        }

        /// <summary>Reads the digit groups from <paramref name="i"/> into <paramref name="run"/>; returns the run's end.</summary>
        private readonly int ReadDigitRun(int i, ref DigitRun run, int limit = int.MaxValue)
        {
            var t = _t;
            int n = Math.Min(t.Length, limit);
            int j = i;
            if (t[j] == '+')
            {
                run.Plus = true;
                j++;
            }

            if (j < n && t[j] == '(')
            {
                run.Paren = true;
                j++;
            }

            var digits = run.DigitBuffer;
            var lens = run.GroupLengths;
            int nd = 0, groups = 0;
            char sep = '\0';
            bool mixed = false;
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
                if (groups > MaxGroups)
                {
                    // Longer runs are not one value; stopping here keeps the fallback to the first part linear.
                    break;
                }

                int k = j;
                if (k < n && t[k] == ')' && run.Paren && groups == 1)
                {
                    k++;
                    run.ParenClosed = true;
                }

                if (k < n && t[k] is ' ' or '-' or '.' or '/')
                {
                    char s = t[k];
                    k++;
                    if (k < n && char.IsAsciiDigit(t[k]))
                    {
                        if (s == ' ' && run.FirstSpace == 0)
                        {
                            run.FirstSpace = k - 1;
                        }

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

            run.Count = nd;
            run.Groups = groups;
            run.Separator = sep;
            run.Mixed = mixed;
            return j;
        }

        /// <summary>Adds what the digit run from <paramref name="i"/> to <paramref name="j"/> is, trying the strictest shapes first.</summary>
        private readonly void ClassifyNumber(int i, int j, scoped in DigitRun run)
        {
            var d = run.Digits;
            bool reference = HasContext(ContextKinds.Reference, i);
            bool plain = run.Plain;
            bool mixed = run.Mixed;
            char sep = run.Separator;
            int groups = run.Groups;

            // IPv4 in CIDR notation: 10.0.0.0/8
            if (plain && mixed && groups == 5 && run.GroupLengths[4] <= 2 && Cidr(i, j))
            {
                return;
            }

            // IPv4
            if (plain && sep == '.' && !mixed && groups == 4)
            {
                if (ValidIpv4(_t[i..j]))
                {
                    Add(SafetyFindingTypes.IpAddress, i, j, HasContext(ContextKinds.Version, i) ? 0.1 : 0.6, "IpAddressRecognizer");
                }

                return;
            }

            // Dates (a date is never a phone or a card)
            if (plain && !mixed && groups == 3 && sep is '-' or '/' or '.' && IsDate(d, run.GroupLengths[0], run.GroupLengths[1], run.GroupLengths[2]))
            {
                DateOfBirth(i, j);
                return;
            }

            // US SSN: ddd-dd-dddd
            if (plain && !mixed && run.IsGroups(3, 2, 4) && sep is '-' or ' ')
            {
                if (PiiChecksums.ValidUsSsn(d))
                {
                    double score = (HasContext(ContextKinds.Ssn, i) ? 0.9 : 0.65) * (reference ? 0.5 : 1);
                    Add(SafetyFindingTypes.UsSsn, i, j, score, "UsSsnRecognizer");
                }

                return;
            }

            // Payment cards; a run of card length that fails Luhn may still be a phone number by context.
            if (plain && !mixed && d.Length is >= 13 and <= 19 && (groups == 1 || (sep is ' ' or '-' && CardGroups(run.GroupLengths[..groups]))))
            {
                if (CreditCard(i, j, d, groups, reference) || groups > 1 || !HasContext(ContextKinds.Phone, i))
                {
                    return;
                }
            }

            if (DigitId(i, j, in run))
            {
                return;
            }

            if (plain && groups == 1 && d.Length == 9)
            {
                NineDigits(i, j, d, reference);
                return;
            }

            if (Phone(i, j, in run, reference))
            {
                return;
            }

            if (plain && groups == 1 && d.Length is >= 6 and <= 10 && HasContext(ContextKinds.Passport, i))
            {
                Add(SafetyFindingTypes.Passport, i, j, 0.75, "PassportRecognizer");
            }
            else if (plain && groups == 1 && d.Length is >= 5 and <= 16 && HasContext(ContextKinds.DriverLicense, i))
            {
                Add(SafetyFindingTypes.DriverLicense, i, j, 0.7, "DriverLicenseRecognizer");
            }
        }

        /// <summary>Adds an IPv4 network (<c>a.b.c.d/n</c>, n at most 32); returns whether the run was one.</summary>
        private readonly bool Cidr(int i, int j)
        {
            var text = _t[i..j];
            int slash = text.LastIndexOf('/');
            if (slash < 7 || !ValidIpv4(text[..slash]) || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bits) || bits > 32)
            {
                return false;
            }

            Add(SafetyFindingTypes.IpAddress, i, j, HasContext(ContextKinds.Version, i) ? 0.1 : 0.6, "IpAddressRecognizer");
            return true;
        }

        /// <summary>A date is a date of birth after a birth context word, unless a time follows it (a timestamp).</summary>
        private readonly void DateOfBirth(int i, int j)
        {
            var t = _t;
            int n = t.Length;
            bool timestamp = j + 2 < n && t[j] == ' ' && IsAsciiDigit(t, j + 1) && (t[j + 2] == ':' || (IsAsciiDigit(t, j + 2) && j + 3 < n && t[j + 3] == ':'));
            if (!timestamp && HasContext(ContextKinds.Birth, i))
            {
                Add(SafetyFindingTypes.DateOfBirth, i, j, 0.85, "DateOfBirthRecognizer");
            }
        }

        /// <summary>Adds a card number that passes Luhn, scored by issuer, grouping and context; returns whether it did.</summary>
        private readonly bool CreditCard(int i, int j, ReadOnlySpan<char> d, int groups, bool reference)
        {
            if (!PiiChecksums.Luhn(d))
            {
                return false;
            }

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
            return true;
        }

        /// <summary>Nine plain digits: a routing number, SSN, passport, licence or phone number by context.</summary>
        private readonly void NineDigits(int i, int j, ReadOnlySpan<char> d, bool reference)
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
        }

        /// <summary>
        /// Adds a phone number when the run has a phone's shape: validated by libphonenumber it scores 0.75
        /// (international) or 0.6 (national), 0.1 more in a preferred region, with its region and type as the detail;
        /// a phone-shaped run no region accepts keeps half its shape's score. A phone context word adds 0.25, an
        /// order or invoice word takes 60 % off. Returns whether the run had a phone's shape.
        /// </summary>
        private readonly bool Phone(int i, int j, scoped in DigitRun run, bool reference)
        {
            double score = PhoneScore(i, in run);
            if (score <= 0)
            {
                return false;
            }

            var match = _phones.Match(_t[i..j], run.Count);
            if (match is { } m)
            {
                bool international = run.Plus || (run.Digits[0] == '0' && run.Digits[1] == '0');
                score = (international ? 0.75 : 0.6) + (m.Preferred ? 0.1 : 0);
            }
            else
            {
                score *= 0.5;
            }

            if (HasContext(ContextKinds.Phone, i))
            {
                score += 0.25;
            }

            if (reference)
            {
                score *= 0.4;
            }

            Add(SafetyFindingTypes.Phone, i, j, score, "PhoneRecognizer", match?.Detail);
            return true;
        }

        /// <summary>The phone score of a digit run's shape (international, NANP, trunk prefix), before context; 0 if it is not one.</summary>
        private readonly double PhoneScore(int i, scoped in DigitRun run)
        {
            var d = run.Digits;
            int nd = d.Length;
            int groups = run.Groups;
            bool mixed = run.Mixed;
            char sep = run.Separator;
            if (run.Plus)
            {
                return nd is >= 8 and <= 15 && d[0] != '0' ? 0.75 : 0;
            }

            if (nd >= 2 && d[0] == '0' && d[1] == '0' && groups >= 2 && nd is >= 10 and <= 17)
            {
                return 0.6;
            }

            if (run.Paren && run.IsGroups(3, 3, 4))
            {
                return Nanp(d) ? 0.7 : 0;
            }

            if (!mixed && run.IsGroups(3, 3, 4) && sep is '-' or '.' or ' ')
            {
                return Nanp(d) ? (sep == '.' ? 0.5 : 0.6) : 0;
            }

            if (!mixed && groups >= 2 && d[0] == '0' && nd is >= 9 and <= 12 && sep is ' ' or '-' or '/')
            {
                return 0.5;
            }

            if (groups == 1 && nd is >= 10 and <= 12 && HasContext(ContextKinds.Phone, i))
            {
                return 0.6;
            }

            return 0;
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
    }
}
