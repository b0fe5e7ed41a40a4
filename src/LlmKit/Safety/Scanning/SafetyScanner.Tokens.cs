namespace LlmKit;

// Tokens of letters and digits: words go to the phrase pass; crypto wallets, IBANs, passport and licence numbers.
internal static partial class SafetyScanner
{
    private ref partial struct ScanState
    {
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
                if (len == 2 && !nonAscii && j + 1 < n && t[j] == ' ' && char.IsAsciiDigit(t[j + 1]))
                {
                    int nino = SpacedNino(i);
                    if (nino > 0)
                    {
                        return nino;
                    }
                }

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
                int end = IbanOrWallet(i, j);
                if (end > 0)
                {
                    return end;
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
                int id = LetterDigitId(i, j);
                return id > 0 ? id : DocumentNumber(i, j);
            }

            return j;
        }

        /// <summary>An IBAN or a crypto wallet address (Base58Check, Bech32, Ethereum) in the token from <paramref name="i"/> to <paramref name="j"/>; returns its end or 0.</summary>
        private readonly int IbanOrWallet(int i, int j)
        {
            var t = _t;
            int len = j - i;
            char c0 = t[i];
            if (len >= 4 && char.IsAsciiLetter(c0) && char.IsAsciiLetter(t[i + 1]) && char.IsAsciiDigit(t[i + 2]) && char.IsAsciiDigit(t[i + 3]))
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

            return 0;
        }

        /// <summary>A passport or driver's licence number after its context word in the token from <paramref name="i"/> to <paramref name="j"/>; returns its end.</summary>
        private readonly int DocumentNumber(int i, int j)
        {
            var t = _t;
            int n = t.Length;
            int len = j - i;
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

            return j;
        }

        private static ReadOnlySpan<char> HexChars => "0123456789abcdefABCDEF";

        /// <summary>An IBAN from <paramref name="i"/> in either case, compact or in groups of four separated by spaces or hyphens; returns its end or 0.</summary>
        private readonly int Iban(int i)
        {
            var t = _t;
            int n = t.Length;
            int length = PiiChecksums.IbanLength(char.ToUpperInvariant(t[i]), char.ToUpperInvariant(t[i + 1]));
            if (length == 0)
            {
                return 0;
            }

            Span<char> buffer = stackalloc char[34];
            int m = 0, group = 0, j = i, end = i;
            char separator = '\0';
            bool upper = false, lower = false;
            while (j < n && m < length)
            {
                char c = t[j];
                if (char.IsAsciiLetterOrDigit(c))
                {
                    upper |= char.IsAsciiLetterUpper(c);
                    lower |= char.IsAsciiLetterLower(c);
                    buffer[m++] = char.ToUpperInvariant(c);
                    group++;
                    j++;
                    end = j;
                }
                else if (c is ' ' or '-' && (separator == '\0' || separator == c) && group == 4 && j + 1 < n && char.IsAsciiLetterOrDigit(t[j + 1]))
                {
                    separator = c;
                    group = 0;
                    j++;
                }
                else
                {
                    break;
                }
            }

            // One case throughout: "LV80 bANK ..." is not how anyone writes an IBAN.
            if (m != length || (upper && lower) || (end < n && char.IsAsciiLetterOrDigit(t[end])) || !PiiChecksums.IbanMod97(buffer[..m]))
            {
                return 0;
            }

            Add(SafetyFindingTypes.Iban, i, end, 0.95, "IbanRecognizer");
            return end;
        }
    }
}
