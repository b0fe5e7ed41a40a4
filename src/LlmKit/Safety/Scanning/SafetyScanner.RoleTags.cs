namespace LlmKit;

// Injection markup: delimiter lines, Markdown role headers, and angle- and bracket-delimited role tags.
internal static partial class SafetyScanner
{
    private ref partial struct ScanState
    {
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
    }
}
