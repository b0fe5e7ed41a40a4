namespace LlmKit;

/// <summary>
/// Check-digit and format rules of national identifiers, from their issuers' specifications: UK National Insurance
/// (HMRC prefix rules) and NHS numbers (mod 11), Spanish NIF/NIE (mod 23 letter), Italian codice fiscale (odd/even
/// tables), Indian PAN (holder-type letter) and Aadhaar (Verhoeff), Australian TFN (weights mod 11), ABN (mod 89)
/// and Medicare (weights mod 10), Singapore NRIC/FIN (weights mod 11 letter). Inputs are the characters without
/// separators; letters in either case.
/// </summary>
internal static class NationalIdChecksums
{
    private const string NifLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    private static int Digit(char c) => c - '0';

    private static char Upper(char c) => (char)(c & ~0x20);

    /// <summary>A UK National Insurance number: two prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK, NT, TN, ZZ), six digits, suffix A-D.</summary>
    public static bool UkNino(char a, char b, ReadOnlySpan<char> digits, char suffix)
    {
        a = Upper(a);
        b = Upper(b);
        if ("DFIQUV".Contains(a) || "DFIQUVO".Contains(b) || digits.Length != 6 || !IsDigits(digits) || Upper(suffix) is < 'A' or > 'D')
        {
            return false;
        }

        return (a, b) is not (('B', 'G') or ('G', 'B') or ('K', 'N') or ('N', 'K') or ('N', 'T') or ('T', 'N') or ('Z', 'Z'));
    }

    /// <summary>An NHS number: ten digits, weights 10..2 mod 11 give the last.</summary>
    public static bool UkNhs(ReadOnlySpan<char> d)
    {
        if (d.Length != 10 || !IsDigits(d))
        {
            return false;
        }

        int sum = 0;
        for (int k = 0; k < 9; k++)
        {
            sum += Digit(d[k]) * (10 - k);
        }

        int check = 11 - (sum % 11);
        check = check == 11 ? 0 : check;
        return check != 10 && check == Digit(d[9]);
    }

    /// <summary>A Spanish NIF (DNI): up to eight digits and the mod-23 letter.</summary>
    public static bool EsNif(ReadOnlySpan<char> digits, char letter)
        => digits.Length is 7 or 8 && IsDigits(digits) && NifLetters[(int)(Number(digits) % 23)] == Upper(letter);

    /// <summary>A Spanish NIE: X, Y or Z (0, 1, 2), seven digits and the mod-23 letter.</summary>
    public static bool EsNie(char prefix, ReadOnlySpan<char> digits, char letter)
    {
        int p = Upper(prefix) switch { 'X' => 0, 'Y' => 1, 'Z' => 2, _ => -1 };
        return p >= 0 && digits.Length == 7 && IsDigits(digits) && NifLetters[(int)(((p * 10_000_000L) + Number(digits)) % 23)] == Upper(letter);
    }

    /// <summary>An Italian codice fiscale: 6 letters, 2 digits, month letter, 2 digits, letter, 3 digits (digits may be omocodia letters), check letter.</summary>
    public static bool ItFiscalCode(ReadOnlySpan<char> c)
    {
        if (c.Length != 16)
        {
            return false;
        }

        ReadOnlySpan<int> odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
        int sum = 0;
        for (int k = 0; k < 15; k++)
        {
            char ch = Upper(c[k]) is var u && char.IsAsciiLetterUpper(u) ? u : c[k];
            bool letterPlace = k < 6 || k is 8 or 11;
            if (letterPlace ? !char.IsAsciiLetterUpper(ch) : !(char.IsAsciiDigit(ch) || "LMNPQRSTUV".Contains(ch)))
            {
                return false;
            }

            if (k == 8 && !"ABCDEHLMPRST".Contains(ch))
            {
                return false;
            }

            int v = char.IsAsciiDigit(ch) ? ch - '0' : ch - 'A';
            sum += (k % 2 == 0) ? odd[v] : v;
        }

        return char.IsAsciiLetter(c[15]) && (char)('A' + (sum % 26)) == Upper(c[15]);
    }

    /// <summary>An Indian PAN: five letters (the fourth the holder type), four digits, a letter.</summary>
    public static bool InPan(ReadOnlySpan<char> c)
        => c.Length == 10 && IsLetters(c[..5]) && "ABCFGHLJPT".Contains(Upper(c[3])) && IsDigits(c[5..9]) && char.IsAsciiLetter(c[9]);

    /// <summary>An Aadhaar number: twelve digits, not starting with 0 or 1, Verhoeff check digit.</summary>
    public static bool InAadhaar(ReadOnlySpan<char> d)
        => d.Length == 12 && IsDigits(d) && d[0] >= '2' && Verhoeff(d);

    /// <summary>An Australian tax file number: nine digits, weights 1,4,3,7,5,8,6,9,10 sum to a multiple of 11.</summary>
    public static bool AuTfn(ReadOnlySpan<char> d)
    {
        ReadOnlySpan<int> w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
        return d.Length == 9 && IsDigits(d) && WeightedSum(d, w) % 11 == 0;
    }

    /// <summary>An Australian business number: eleven digits, first minus one, weights 10,1,3,...,19 sum to a multiple of 89.</summary>
    public static bool AuAbn(ReadOnlySpan<char> d)
    {
        if (d.Length != 11 || !IsDigits(d) || d[0] == '0')
        {
            return false;
        }

        ReadOnlySpan<int> w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
        int sum = ((Digit(d[0]) - 1) * w[0]) + WeightedSum(d[1..], w[1..]);
        return sum % 89 == 0;
    }

    /// <summary>An Australian Medicare number: ten digits, first 2-6, weights 1,3,7,9,1,3,7,9 mod 10 give the ninth.</summary>
    public static bool AuMedicare(ReadOnlySpan<char> d)
    {
        ReadOnlySpan<int> w = [1, 3, 7, 9, 1, 3, 7, 9];
        return d.Length == 10 && IsDigits(d) && d[0] is >= '2' and <= '6' && WeightedSum(d[..8], w) % 10 == Digit(d[8]);
    }

    /// <summary>A Singapore NRIC or FIN: S, T, F, G or M, seven digits, the check letter of its series.</summary>
    public static bool SgNricFin(char prefix, ReadOnlySpan<char> digits, char letter)
    {
        char p = Upper(prefix);
        if (digits.Length != 7 || !IsDigits(digits) || !"STFGM".Contains(p))
        {
            return false;
        }

        ReadOnlySpan<int> w = [2, 7, 6, 5, 4, 3, 2];
        int sum = WeightedSum(digits, w) + (p is 'T' or 'G' ? 4 : p == 'M' ? 3 : 0);
        return p switch
        {
            'S' or 'T' => "JZIHGFEDCBA"[sum % 11],
            'F' or 'G' => "XWUTRQPNMLK"[sum % 11],
            _ => "KLJNPQRTUWX"[10 - (sum % 11)],
        } == Upper(letter);
    }

    private static readonly byte[,] VerhoeffD =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 }, { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 }, { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
        { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 }, { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
        { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 }, { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    private static readonly byte[,] VerhoeffP =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 }, { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 }, { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
        { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 }, { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    /// <summary>The Verhoeff dihedral-group check over every digit (the last being the check digit).</summary>
    public static bool Verhoeff(ReadOnlySpan<char> d)
    {
        int c = 0;
        for (int k = 0; k < d.Length; k++)
        {
            c = VerhoeffD[c, VerhoeffP[k % 8, Digit(d[d.Length - 1 - k])]];
        }

        return c == 0;
    }

    private static int WeightedSum(ReadOnlySpan<char> d, ReadOnlySpan<int> w)
    {
        int sum = 0;
        for (int k = 0; k < w.Length; k++)
        {
            sum += Digit(d[k]) * w[k];
        }

        return sum;
    }

    private static long Number(ReadOnlySpan<char> d)
    {
        long v = 0;
        foreach (char c in d)
        {
            v = (v * 10) + Digit(c);
        }

        return v;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && s.IndexOfAnyExceptInRange('0', '9') < 0;

    private static bool IsLetters(ReadOnlySpan<char> s)
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
}
