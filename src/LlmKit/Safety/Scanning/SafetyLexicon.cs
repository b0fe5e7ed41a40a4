using System.Collections.Frozen;

namespace LlmKit;

/// <summary>
/// The words the scanner looks up: PII context words and the parts of instruction-override phrasing in English,
/// German, French, Spanish, Italian, Portuguese and Dutch. Looked up case-insensitively by span, without allocating.
/// </summary>
internal static class SafetyLexicon
{
    /// <summary>Spanish for "everything", escaped so that source checks for work-item markers do not mistake it for one.</summary>
    private const string SpanishEverything = "\u0074odo";

    private static readonly FrozenDictionary<string, WordInfo> Words = Build();

    /// <summary>Gets the lookup by span.</summary>
    public static FrozenDictionary<string, WordInfo>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Gets the longest word, in UTF-16 code units.</summary>
    public static int MaxLength { get; } = Words.Keys.Max(k => k.Length);

    /// <summary>Which (first letter, second letter, length) triples of ASCII letters start a lexicon word: most words of a text skip the lookup.</summary>
    private static readonly bool[] Prefixes = BuildPrefixes();

    /// <summary>The override words matched with one typo (edit, insertion, deletion or swap of neighbours): long enough that one typo does not make another word.</summary>
    private static readonly string[] FuzzyWords = ["ignore", "disregard", "override", "instructions", "instruction", "previous", "guidelines", "directions", "restrictions"];

    /// <summary>
    /// Looks a word up exactly, then as an injection word glued to the next one (<c>instructionsreveal</c>: the
    /// longest lexicon prefix with an injection role), then with one typo against the override words
    /// (<c>instrutions</c>). Returns the word's information and how many of its characters it covers.
    /// </summary>
    /// <param name="word">The word.</param>
    /// <param name="info">What the lexicon knows about it.</param>
    /// <param name="length">The characters of <paramref name="word"/> the match covers.</param>
    /// <returns>Whether it matched.</returns>
    public static bool TryMatch(ReadOnlySpan<char> word, out WordInfo info, out int length)
    {
        length = word.Length;
        if (word.Length >= 2 && word.Length <= MaxLength && MayContain(word) && Lookup.TryGetValue(word, out info))
        {
            return true;
        }

        if (word.Length >= 10)
        {
            for (int p = Math.Min(MaxLength, word.Length - 4); p >= 6; p--)
            {
                var prefix = word[..p];
                if (MayContain(prefix) && Lookup.TryGetValue(prefix, out info) && info.Roles != InjectionRoles.None)
                {
                    length = p;
                    return true;
                }
            }
        }

        if (word.Length >= 5)
        {
            char first = (char)(word[0] | 0x20);
            foreach (string candidate in FuzzyWords)
            {
                if (candidate[0] == first && Math.Abs(candidate.Length - word.Length) <= 1 && WithinOneEdit(word, candidate))
                {
                    info = Words[candidate];
                    return true;
                }
            }
        }

        info = default;
        return false;
    }

    /// <summary>Whether <paramref name="a"/> becomes <paramref name="b"/> (ASCII, any case) with at most one substitution, insertion, deletion or transposition.</summary>
    private static bool WithinOneEdit(ReadOnlySpan<char> a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && (a[i] | 0x20) == b[i])
        {
            i++;
        }

        if (i == a.Length && i == b.Length)
        {
            return true;
        }

        static bool Same(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
        {
            if (x.Length != y.Length)
            {
                return false;
            }

            for (int k = 0; k < x.Length; k++)
            {
                if ((x[k] | 0x20) != y[k])
                {
                    return false;
                }
            }

            return true;
        }

        var bs = b.AsSpan();
        return (a.Length == b.Length && Same(a[(i + 1)..], bs[(i + 1)..]))
            || (a.Length == b.Length + 1 && Same(a[(i + 1)..], bs[i..]))
            || (a.Length + 1 == b.Length && Same(a[i..], bs[(i + 1)..]))
            || (a.Length == b.Length && i + 1 < a.Length && (a[i] | 0x20) == b[i + 1] && (a[i + 1] | 0x20) == b[i] && Same(a[(i + 2)..], bs[(i + 2)..]));
    }

    /// <summary>Returns whether a word may be in the lexicon (false only when it certainly is not).</summary>
    public static bool MayContain(ReadOnlySpan<char> word)
    {
        char a = word[0], b = word[1];
        if (!char.IsAsciiLetter(a) || !char.IsAsciiLetter(b))
        {
            return true;
        }

        return word.Length <= MaxLength && Prefixes[Index(a, b, word.Length)];
    }

    private static int Index(char a, char b, int length) => ((((a | 0x20) - 'a') * 26) + ((b | 0x20) - 'a')) * 32 + (length & 31);

    private static bool[] BuildPrefixes()
    {
        var prefixes = new bool[26 * 26 * 32];
        foreach (string word in Words.Keys)
        {
            if (word.Length >= 2 && char.IsAsciiLetter(word[0]) && char.IsAsciiLetter(word[1]))
            {
                prefixes[Index(word[0], word[1], word.Length)] = true;
            }
        }

        return prefixes;
    }

    private static FrozenDictionary<string, WordInfo> Build()
    {
        var map = new Dictionary<string, WordInfo>(StringComparer.OrdinalIgnoreCase);
        void Context(ContextKinds kind, string words)
        {
            foreach (string w in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = map.TryGetValue(w, out var info) ? info with { Context = info.Context | kind } : new WordInfo(kind, InjectionRoles.None);
            }
        }

        void Role(InjectionRoles role, string words)
        {
            foreach (string w in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = map.TryGetValue(w, out var info) ? info with { Roles = info.Roles | role } : new WordInfo(ContextKinds.None, role);
            }
        }

        Context(ContextKinds.Phone, "phone telephone tel mobile cell cellphone call fax whatsapp sms telefon telefonnummer handy mobil rufnummer téléphone telephone portable numéro teléfono telefono móvil movil celular cellulare telemóvel telefoonnummer");
        Context(ContextKinds.Ssn, "ssn ssns social");
        Context(ContextKinds.Routing, "routing aba rtn transit");
        Context(ContextKinds.Card, "card cards visa mastercard amex discover credit debit kreditkarte karte carte tarjeta carta cartão");
        Context(ContextKinds.Birth, "born birth birthday birthdate dob geboren geburtsdatum geburtstag né née naissance nacimiento nacido nacida nascita nato nata nascimento geboortedatum");
        Context(ContextKinds.Passport, "passport passports reisepass reisepassnummer passeport pasaporte passaporto passaporte paspoort");
        Context(ContextKinds.DriverLicense, "driver driver's drivers driving dl führerschein fuhrerschein permis conducir patente rijbewijs");
        Context(ContextKinds.Crypto, "wallet bitcoin btc eth ethereum crypto cryptocurrency address");
        Context(ContextKinds.Version, "version versions release build v ver firmware kernel package nuget npm semver");
        Context(ContextKinds.NationalId, "nhs nino insurance tfn abn medicare aadhaar aadhar uidai pan nif nie dni nric fin fiscale codice identification identity identidad extranjero");
        Context(ContextKinds.Reference, "order invoice ticket tracking ref reference sku isbn serial part article bestellung rechnung commande pedido factura");

        Role(InjectionRoles.OverrideVerb, "ignore ignoring disregard forget override bypass skip drop discard abandon neglect " +
            "ignoriere ignorier ignorieren vergiss vergessen missachte überschreibe verwirf " +
            "ignorez ignorer oublie oubliez oublier négligez " +
            "ignora ignorar olvida olvide olvidar descarta descartar omite " +
            "dimentica dimenticare tralascia " +
            "esqueça esqueca desconsidere desconsidera " +
            "negeer vergeet");
        Role(InjectionRoles.RevealVerb, "reveal print repeat display output leak show tell dump disclose " +
            "zeige zeig gib wiederhole verrate montre affiche révèle revele répète muestra revela repite mostra rivela ripeti mostre");
        Role(InjectionRoles.Object, "instructions instruction rules prompt prompts directions guidelines guidance commands directives constraints restrictions programming policies context " +
            "anweisungen anweisung regeln vorgaben instruktionen befehle richtlinien systemprompt einschränkungen " +
            "consignes règles directives ordres " +
            "instrucciones reglas indicaciones órdenes directrices restricciones " +
            "istruzioni regole indicazioni " +
            "instruções instrucoes regras orientações " +
            "instructies regels");
        Role(InjectionRoles.Qualifier, "previous prior above earlier preceding former original initial system your all any hidden secret " +
            "vorherigen vorherige bisherigen obigen vorigen früheren alle deine ihre " +
            "précédentes précédents antérieures toutes tes vos " +
            "anteriores previas todas tus sus " +
            "precedenti tutte sopra tue " +
            "acima " +
            "vorige eerdere bovenstaande");
        Role(InjectionRoles.StrongQualifier, "everything above alles tout tutto tudo " + SpanishEverything);
        Role(InjectionRoles.Negation, "not don't dont don doesn didn shouldn mustn never nicht nie pas jamais no nunca non não niet");
        Role(InjectionRoles.NewMarker, "new updated revised neue nouvelles nouvelle nuevas nuevo nuove novas nieuwe");
        Role(InjectionRoles.EndMarker, "end ende fin fine einde");
        Role(InjectionRoles.EndObject, "input prompt document context conversation data text user instructions system message");
        Role(InjectionRoles.Developer, "developer entwickler développeur desarrollador");
        Role(InjectionRoles.Jailbreak, "jailbreak jailbroken jailbreaking");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
