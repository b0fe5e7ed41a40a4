namespace LlmKit;

// National identifiers with check digits or strict formats: UK NINO and NHS, Spanish NIF/NIE, Italian codice
// fiscale, Indian PAN and Aadhaar, Australian TFN, ABN and Medicare, Singapore NRIC/FIN.
internal static partial class SafetyScanner
{
    private ref partial struct ScanState
    {
        /// <summary>An identifier of letters and digits in the token from <paramref name="i"/> to <paramref name="j"/> (either case); returns its end or 0.</summary>
        private readonly int LetterDigitId(int i, int j)
        {
            var t = _t;
            var token = t[i..j];
            bool context = HasContext(ContextKinds.NationalId, i);
            char first = (char)(token[0] | 0x20);
            if (token.Length == 9 && char.IsAsciiLetter(token[1]) && NationalIdChecksums.UkNino(token[0], token[1], token[2..8], token[8]))
            {
                return AddId(SafetyFindingTypes.UkNino, i, j, 0.7, context);
            }

            if (token.Length == 9 && first is 'x' or 'y' or 'z' && NationalIdChecksums.EsNie(token[0], token[1..8], token[8]))
            {
                return AddId(SafetyFindingTypes.EsNie, i, j, 0.8, context);
            }

            if (token.Length == 8 && first is 'x' or 'y' or 'z' && DashLetter(j) && NationalIdChecksums.EsNie(token[0], token[1..8], t[j + 1]))
            {
                return AddId(SafetyFindingTypes.EsNie, i, j + 2, 0.8, context);
            }

            if (token.Length == 9 && first is 's' or 't' or 'f' or 'g' or 'm' && NationalIdChecksums.SgNricFin(token[0], token[1..8], token[8]))
            {
                return AddId(SafetyFindingTypes.SgNricFin, i, j, 0.7, context);
            }

            if (token.Length is 8 or 9 && char.IsAsciiDigit(token[0]) && NationalIdChecksums.EsNif(token[..^1], token[^1]))
            {
                return AddId(SafetyFindingTypes.EsNif, i, j, 0.7, context);
            }

            if (token.Length == 16 && NationalIdChecksums.ItFiscalCode(token))
            {
                return AddId(SafetyFindingTypes.ItFiscalCode, i, j, 0.85, context);
            }

            if (token.Length == 10 && NationalIdChecksums.InPan(token))
            {
                return AddId(SafetyFindingTypes.InPan, i, j, char.IsAsciiLetterUpper(token[3]) ? 0.6 : 0.5, context);
            }

            return 0;
        }

        /// <summary>A UK National Insurance number written in groups (<c>AB 12 34 56 C</c>, <c>AB 123456 C</c>) from the two-letter token at <paramref name="i"/>; returns its end or 0.</summary>
        private readonly int SpacedNino(int i)
        {
            var t = _t;
            Span<char> digits = stackalloc char[6];
            int m = 0, k = i + 2;
            while (m < 6 && k + 1 < t.Length && t[k] == ' ' && char.IsAsciiDigit(t[k + 1]))
            {
                k++;
                while (k < t.Length && char.IsAsciiDigit(t[k]) && m < 6)
                {
                    digits[m++] = t[k++];
                }

                if (k < t.Length && char.IsAsciiDigit(t[k]))
                {
                    return 0;
                }
            }

            // The suffix letter follows the digits directly or after one space.
            if (m == 6 && k + 1 < t.Length && t[k] == ' ')
            {
                k++;
            }

            if (m != 6 || k >= t.Length || !char.IsAsciiLetter(t[k]) || (k + 1 < t.Length && IsWordChar(t[k + 1])))
            {
                return 0;
            }

            return NationalIdChecksums.UkNino(t[i], t[i + 1], digits, t[k])
                ? AddId(SafetyFindingTypes.UkNino, i, k + 1, 0.7, HasContext(ContextKinds.NationalId, i))
                : 0;
        }

        /// <summary>
        /// A national number of digits only (Aadhaar, ABN, Medicare, NHS, TFN, NIF with a hyphenated letter) in the run
        /// from <paramref name="i"/> to <paramref name="j"/>; returns whether it added one. Checksums that one
        /// number in eleven passes by chance (NHS, TFN) need a context word or their grouping; an NHS number that is
        /// also a valid phone number is left to the phone recognizer unless a context word names it.
        /// </summary>
        private readonly bool DigitId(int i, int j, scoped in DigitRun run)
        {
            var d = run.Digits;
            int groups = run.Groups;
            bool context = HasContext(ContextKinds.NationalId, i);
            bool spaced = !run.Mixed && run.Separator is ' ' or '-';
            if (!run.Plain)
            {
                return false;
            }

            if (d.Length == 12 && (groups == 1 || (spaced && Groups(in run, 4, 4, 4))) && NationalIdChecksums.InAadhaar(d))
            {
                return AddId(SafetyFindingTypes.InAadhaar, i, j, 0.6, context) > 0;
            }

            if (d.Length == 11 && (groups == 1 || (spaced && Groups(in run, 2, 3, 3, 3))) && NationalIdChecksums.AuAbn(d))
            {
                return AddId(SafetyFindingTypes.AuAbn, i, j, groups == 1 ? 0.5 : 0.65, context) > 0;
            }

            if (d.Length == 10 && (groups == 1 || (spaced && Groups(in run, 4, 5, 1))) && NationalIdChecksums.AuMedicare(d) && (groups > 1 || context))
            {
                return AddId(SafetyFindingTypes.AuMedicare, i, j, 0.6, context) > 0;
            }

            if (d.Length == 10 && (groups == 1 || (spaced && Groups(in run, 3, 3, 4))) && NationalIdChecksums.UkNhs(d)
                && (context || _phones.Match(_t[i..j], d.Length) is null))
            {
                return AddId(SafetyFindingTypes.UkNhs, i, j, groups == 1 ? 0.45 : 0.55, context) > 0;
            }

            if (d.Length == 9 && ((spaced && Groups(in run, 3, 3, 3)) || (groups == 1 && context)) && NationalIdChecksums.AuTfn(d))
            {
                return AddId(SafetyFindingTypes.AuTfn, i, j, 0.5, context) > 0;
            }

            if (groups == 1 && d.Length is 7 or 8 && DashLetter(j) && NationalIdChecksums.EsNif(d, _t[j + 1]))
            {
                return AddId(SafetyFindingTypes.EsNif, i, j + 2, 0.7, context) > 0;
            }

            return false;
        }

        /// <summary>Whether <c>-L</c> (a hyphen and one letter ending a word) follows <paramref name="j"/>.</summary>
        private readonly bool DashLetter(int j)
        {
            var t = _t;
            return j + 1 < t.Length && t[j] == '-' && char.IsAsciiLetter(t[j + 1]) && (j + 2 >= t.Length || !IsWordChar(t[j + 2]));
        }

        private static bool Groups(scoped in DigitRun run, params ReadOnlySpan<int> lengths)
            => run.Groups == lengths.Length && run.GroupLengths[..lengths.Length].SequenceEqual(lengths);

        /// <summary>Adds an identifier: its format's score, or 0.85 (at least) after a context word; returns its end.</summary>
        private readonly int AddId(string type, int i, int j, double score, bool context)
        {
            Add(type, i, j, context ? Math.Max(score, 0.85) : score, "NationalIdRecognizer");
            return j;
        }
    }
}
