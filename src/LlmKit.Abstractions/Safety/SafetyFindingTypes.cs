namespace LlmKit;

/// <summary>The finding types LlmKit's built-in recognizers and limits report. Hosts may add their own types.</summary>
public static class SafetyFindingTypes
{
    /// <summary>An e-mail address.</summary>
    public const string Email = "EMAIL";

    /// <summary>A phone number in international (E.164, <c>+</c> or <c>00</c>) or national form.</summary>
    public const string Phone = "PHONE";

    /// <summary>A payment card number that passes the Luhn check.</summary>
    public const string CreditCard = "CREDIT_CARD";

    /// <summary>An IBAN with the right length for its country that passes the mod-97 check.</summary>
    public const string Iban = "IBAN";

    /// <summary>A US Social Security number in an issued range.</summary>
    public const string UsSsn = "US_SSN";

    /// <summary>An IPv4 or IPv6 address.</summary>
    public const string IpAddress = "IP_ADDRESS";

    /// <summary>A URL with a scheme or starting with <c>www.</c>.</summary>
    public const string Url = "URL";

    /// <summary>A cryptocurrency wallet address (Bitcoin Base58Check or Bech32, Ethereum).</summary>
    public const string CryptoWallet = "CRYPTO_WALLET";

    /// <summary>A US bank (ABA) routing number that passes its checksum.</summary>
    public const string AbaRouting = "ABA_ROUTING";

    /// <summary>A date near words such as <c>born</c> or <c>date of birth</c>.</summary>
    public const string DateOfBirth = "DATE_OF_BIRTH";

    /// <summary>A passport number near words such as <c>passport</c>.</summary>
    public const string Passport = "PASSPORT";

    /// <summary>A driver's licence number near words such as <c>driver's licence</c>.</summary>
    public const string DriverLicense = "DRIVER_LICENSE";

    /// <summary>A UK National Insurance number (prefix letters, six digits, suffix A-D), in either case, compact or grouped.</summary>
    public const string UkNino = "UK_NINO";

    /// <summary>A UK NHS number that passes its mod-11 check.</summary>
    public const string UkNhs = "UK_NHS";

    /// <summary>A Spanish NIF (DNI) whose letter matches its mod-23 check.</summary>
    public const string EsNif = "ES_NIF";

    /// <summary>A Spanish NIE (X, Y or Z, seven digits, check letter).</summary>
    public const string EsNie = "ES_NIE";

    /// <summary>An Italian codice fiscale that passes its check letter.</summary>
    public const string ItFiscalCode = "IT_FISCAL_CODE";

    /// <summary>An Indian PAN (five letters with a valid holder type, four digits, a letter).</summary>
    public const string InPan = "IN_PAN";

    /// <summary>An Indian Aadhaar number that passes its Verhoeff check.</summary>
    public const string InAadhaar = "IN_AADHAAR";

    /// <summary>An Australian tax file number that passes its check (grouped 3-3-3, or after a context word).</summary>
    public const string AuTfn = "AU_TFN";

    /// <summary>An Australian business number that passes its mod-89 check.</summary>
    public const string AuAbn = "AU_ABN";

    /// <summary>An Australian Medicare card number that passes its check (grouped 4-5-1, or after a context word).</summary>
    public const string AuMedicare = "AU_MEDICARE";

    /// <summary>A Singapore NRIC or FIN whose letter matches its check.</summary>
    public const string SgNricFin = "SG_NRIC_FIN";

    /// <summary>A prompt-injection signal: override phrasing, spoofed role tags, delimiter attacks, encoded payloads, invisible Unicode.</summary>
    public const string PromptInjection = "PROMPT_INJECTION";

    /// <summary>An output longer than the policy's <c>MaxCharacters</c>.</summary>
    public const string LengthLimit = "LENGTH_LIMIT";

    /// <summary>An output that repeats the same line or word more often than the policy's <c>MaxRepetitions</c>.</summary>
    public const string Repetition = "REPETITION";

    /// <summary>Gets the personal-data types of the built-in recognizers.</summary>
    public static IReadOnlyList<string> PersonalData { get; } =
        [Email, Phone, CreditCard, Iban, UsSsn, IpAddress, Url, CryptoWallet, AbaRouting, DateOfBirth, Passport, DriverLicense,
         UkNino, UkNhs, EsNif, EsNie, ItFiscalCode, InPan, InAadhaar, AuTfn, AuAbn, AuMedicare, SgNricFin];
}
