namespace LlmKit;

// Words: context words for later candidates, and injection phrasing scored from the words after a trigger.
internal static partial class SafetyScanner
{
    /// <summary>The roles of the words after an injection trigger, and where the phrase they make ends.</summary>
    private readonly record struct PhraseWords(int End, bool Object, bool Qualifier, bool StrongQualifier, bool EndObject, bool Mode, bool ColonAfterObject);

    private ref partial struct ScanState
    {
        /// <summary>A word of letters: context words and injection phrasing.</summary>
        private void Word(int i, int j, bool lineStart)
        {
            int len = j - i;
            if (len < 2 || !SafetyLexicon.TryMatch(_t[i..j], out var info, out int matched))
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
                // A trigger glued to the next word ("ignoreprevious") reads its phrase from where the trigger ends.
                Phrase(i, i + matched, roles);
            }
        }

        /// <summary>Scores the phrase a trigger word starts from the words that follow it in the same sentence.</summary>
        private void Phrase(int i, int j, InjectionRoles trigger)
        {
            var t = _t;
            int n = t.Length;
            var words = ReadPhraseWords(j);
            bool obj = words.Object, qual = words.Qualifier, strong = words.StrongQualifier, endObject = words.EndObject, mode = words.Mode, colonAfterObject = words.ColonAfterObject;
            int end = words.End;

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

        /// <summary>Reads up to seven words after a trigger ending at <paramref name="j"/>, within the sentence, for the roles that make it a phrase.</summary>
        private readonly PhraseWords ReadPhraseWords(int j)
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

                if (word.Length < 2 || !SafetyLexicon.TryMatch(word, out var info, out _))
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

            return new PhraseWords(end, obj, qual, strong, endObject, mode, colonAfterObject);
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
    }
}
