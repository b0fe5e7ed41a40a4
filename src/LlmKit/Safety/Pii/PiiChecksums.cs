using System.Security.Cryptography;

namespace LlmKit;

/// <summary>The check-digit and checksum validators of the PII recognizers. All work on spans without allocating.</summary>
internal static class PiiChecksums
{
    private const string Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] Base58Values = CreateBase58Values();

    /// <summary>Returns whether the digits pass the Luhn (mod 10) check used by payment cards.</summary>
    /// <param name="digits">ASCII digits only.</param>
    /// <returns><see langword="true"/> when the check digit is right.</returns>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        int sum = 0;
        bool dbl = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if (dbl)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            dbl = !dbl;
        }

        return sum % 10 == 0;
    }

    /// <summary>Returns whether a payment card number starts with an issuer prefix of a major network (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) with a length that network issues.</summary>
    /// <param name="digits">ASCII digits only.</param>
    /// <returns><see langword="true"/> for a known network and length.</returns>
    public static bool KnownCardIssuer(ReadOnlySpan<char> digits)
    {
        int len = digits.Length;
        int p2 = ((digits[0] - '0') * 10) + (digits[1] - '0');
        int p4 = (p2 * 100) + ((digits[2] - '0') * 10) + (digits[3] - '0');
        return digits[0] switch
        {
            '4' => len is 13 or 16 or 19,
            '5' => p2 is >= 51 and <= 55 ? len == 16 : (p2 is 50 or (>= 56 and <= 58)) && len is >= 12 and <= 19,
            '2' => p4 is >= 2221 and <= 2720 && len == 16,
            '3' => p2 is 34 or 37 ? len == 15 : p2 == 35 ? len is >= 16 and <= 19 : (p2 is 36 or 38 or 39 || (p4 is >= 3000 and <= 3059)) && len is >= 14 and <= 19,
            '6' => (p4 == 6011 || p2 == 65 || (p4 is >= 6440 and <= 6499) || p2 == 62 || p2 == 67 || p2 == 63) && len is >= 16 and <= 19,
            _ => false,
        };
    }

    /// <summary>Returns whether a US Social Security number is in a range the SSA issues: area not 000, 666 or 900-999; group not 00; serial not 0000; not an advertised sample number.</summary>
    /// <param name="digits">Exactly nine ASCII digits.</param>
    /// <returns><see langword="true"/> when the number could be issued.</returns>
    public static bool ValidUsSsn(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 9)
        {
            return false;
        }

        int area = ((digits[0] - '0') * 100) + ((digits[1] - '0') * 10) + (digits[2] - '0');
        int group = ((digits[3] - '0') * 10) + (digits[4] - '0');
        bool serialZero = digits[5] == '0' && digits[6] == '0' && digits[7] == '0' && digits[8] == '0';
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serialZero)
        {
            return false;
        }

        // Sample numbers printed in advertising and documentation, and all-same digits.
        if (digits.SequenceEqual("078051120") || digits.SequenceEqual("219099999") || digits.SequenceEqual("123456789"))
        {
            return false;
        }

        return digits.IndexOfAnyExcept(digits[0]) >= 0;
    }

    /// <summary>Returns whether nine digits are an ABA routing transit number: a Federal Reserve prefix and the 3-7-1 weighted checksum.</summary>
    /// <param name="digits">Exactly nine ASCII digits.</param>
    /// <returns><see langword="true"/> when prefix and checksum are right.</returns>
    public static bool AbaRouting(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 9)
        {
            return false;
        }

        int prefix = ((digits[0] - '0') * 10) + (digits[1] - '0');
        if (!(prefix <= 12 || prefix is >= 21 and <= 32 || prefix is >= 61 and <= 72 || prefix == 80))
        {
            return false;
        }

        int sum = (3 * ((digits[0] - '0') + (digits[3] - '0') + (digits[6] - '0')))
            + (7 * ((digits[1] - '0') + (digits[4] - '0') + (digits[7] - '0')))
            + (digits[2] - '0') + (digits[5] - '0') + (digits[8] - '0');
        return sum % 10 == 0 && digits.IndexOfAnyExcept('0') >= 0;
    }

    /// <summary>Returns the IBAN length of a country (ISO 13616 registry), or 0 for a country without IBANs.</summary>
    /// <param name="c1">The first letter of the country code (upper case).</param>
    /// <param name="c2">The second letter.</param>
    /// <returns>The total IBAN length, or 0.</returns>
    public static int IbanLength(char c1, char c2) => (c1, c2) switch
    {
        ('A', 'D') => 24, ('A', 'E') => 23, ('A', 'L') => 28, ('A', 'T') => 20, ('A', 'Z') => 28,
        ('B', 'A') => 20, ('B', 'E') => 16, ('B', 'G') => 22, ('B', 'H') => 22, ('B', 'R') => 29, ('B', 'Y') => 28,
        ('C', 'H') => 21, ('C', 'R') => 22, ('C', 'Y') => 28, ('C', 'Z') => 24,
        ('D', 'E') => 22, ('D', 'K') => 18, ('D', 'O') => 28,
        ('E', 'E') => 20, ('E', 'G') => 29, ('E', 'S') => 24,
        ('F', 'I') => 18, ('F', 'O') => 18, ('F', 'R') => 27,
        ('G', 'B') => 22, ('G', 'E') => 22, ('G', 'I') => 23, ('G', 'L') => 18, ('G', 'R') => 27, ('G', 'T') => 28,
        ('H', 'R') => 21, ('H', 'U') => 28,
        ('I', 'E') => 22, ('I', 'L') => 23, ('I', 'Q') => 23, ('I', 'S') => 26, ('I', 'T') => 27,
        ('J', 'O') => 30, ('K', 'W') => 30, ('K', 'Z') => 20,
        ('L', 'B') => 28, ('L', 'C') => 32, ('L', 'I') => 21, ('L', 'T') => 20, ('L', 'U') => 20, ('L', 'V') => 21, ('L', 'Y') => 25,
        ('M', 'C') => 27, ('M', 'D') => 24, ('M', 'E') => 22, ('M', 'K') => 19, ('M', 'R') => 27, ('M', 'T') => 31, ('M', 'U') => 30,
        ('N', 'L') => 18, ('N', 'O') => 15,
        ('P', 'K') => 24, ('P', 'L') => 28, ('P', 'S') => 29, ('P', 'T') => 25,
        ('Q', 'A') => 29, ('R', 'O') => 24, ('R', 'S') => 22, ('R', 'U') => 33,
        ('S', 'A') => 24, ('S', 'C') => 31, ('S', 'D') => 18, ('S', 'E') => 24, ('S', 'I') => 19, ('S', 'K') => 24, ('S', 'M') => 27, ('S', 'T') => 25, ('S', 'V') => 28,
        ('T', 'L') => 23, ('T', 'N') => 24, ('T', 'R') => 26,
        ('U', 'A') => 29, ('V', 'A') => 22, ('V', 'G') => 24, ('X', 'K') => 20,
        _ => 0,
    };

    /// <summary>Returns whether an IBAN (upper-case letters and digits, no spaces) passes the ISO 7064 mod-97 check.</summary>
    /// <param name="iban">The IBAN without separators.</param>
    /// <returns><see langword="true"/> when the remainder is 1.</returns>
    public static bool IbanMod97(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 5)
        {
            return false;
        }

        int rem = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length];
            if (c is >= '0' and <= '9')
            {
                rem = ((rem * 10) + (c - '0')) % 97;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                rem = ((rem * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return rem == 1;
    }

    /// <summary>
    /// Returns whether a string is a Bitcoin legacy address: Base58 that decodes to 25 bytes, version 0x00 (P2PKH)
    /// or 0x05 (P2SH), whose last four bytes are the start of SHA-256(SHA-256(first 21 bytes)).
    /// </summary>
    /// <param name="address">The candidate, 26 to 35 characters.</param>
    /// <returns><see langword="true"/> when the Base58Check checksum holds.</returns>
    public static bool BitcoinBase58Check(ReadOnlySpan<char> address)
    {
        if (address.Length is < 26 or > 35)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[25];
        bytes.Clear();
        foreach (char c in address)
        {
            int value = c < 128 ? Base58Values[c] : -1;
            if (value < 0)
            {
                return false;
            }

            int carry = value;
            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                carry += 58 * bytes[i];
                bytes[i] = (byte)carry;
                carry >>= 8;
            }

            if (carry != 0)
            {
                return false;
            }
        }

        // Each leading '1' stands for one leading zero byte, and only those do.
        int leadingOnes = address.IndexOfAnyExcept('1');
        int leadingZeros = bytes.IndexOfAnyExcept((byte)0);
        if (leadingOnes < 0 || leadingOnes != (leadingZeros < 0 ? bytes.Length : leadingZeros))
        {
            return false;
        }

        if (bytes[0] is not (0x00 or 0x05))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..21], hash);
        SHA256.HashData(hash, hash);
        return hash[..4].SequenceEqual(bytes[21..]);
    }

    /// <summary>
    /// Returns whether a string is a Bitcoin SegWit address: human-readable part <c>bc</c>, Bech32 characters, and a
    /// valid BIP-173 (witness version 0) or BIP-350 Bech32m (version 1 and up) checksum.
    /// </summary>
    /// <param name="address">The candidate, all lower case or all upper case.</param>
    /// <returns><see langword="true"/> when the checksum holds.</returns>
    public static bool BitcoinBech32(ReadOnlySpan<char> address)
    {
        if (address.Length is < 14 or > 90 || (address[0] | 0x20) != 'b' || (address[1] | 0x20) != 'c' || address[2] != '1')
        {
            return false;
        }

        bool lower = false, upper = false;
        Span<byte> data = stackalloc byte[address.Length - 3];
        for (int i = 3; i < address.Length; i++)
        {
            char c = address[i];
            lower |= c is >= 'a' and <= 'z';
            upper |= c is >= 'A' and <= 'Z';
            int v = Bech32Charset.IndexOf(char.ToLowerInvariant(c));
            if (v < 0)
            {
                return false;
            }

            data[i - 3] = (byte)v;
        }

        if ((lower && upper) || data.Length < 7)
        {
            return false;
        }

        // hrp "bc" expanded: [3, 3, 0, 2, 3]
        uint chk = 1;
        ReadOnlySpan<byte> hrp = [3, 3, 0, 2, 3];
        foreach (byte b in hrp)
        {
            chk = Bech32Step(chk, b);
        }

        foreach (byte b in data)
        {
            chk = Bech32Step(chk, b);
        }

        byte version = data[0];
        return version == 0 ? chk == 1 : version <= 16 && chk == 0x2bc830a3;
    }

    private static uint Bech32Step(uint chk, byte value)
    {
        uint top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        if ((top & 1) != 0)
        {
            chk ^= 0x3b6a57b2;
        }

        if ((top & 2) != 0)
        {
            chk ^= 0x26508e6d;
        }

        if ((top & 4) != 0)
        {
            chk ^= 0x1ea119fa;
        }

        if ((top & 8) != 0)
        {
            chk ^= 0x3d4233dd;
        }

        if ((top & 16) != 0)
        {
            chk ^= 0x2a1462b3;
        }

        return chk;
    }

    private static sbyte[] CreateBase58Values()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (int i = 0; i < Base58Alphabet.Length; i++)
        {
            values[Base58Alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}
