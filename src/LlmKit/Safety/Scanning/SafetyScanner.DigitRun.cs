namespace LlmKit;

internal static partial class SafetyScanner
{
    /// <summary>
    /// A run of digit groups read by <see cref="ScanState.ReadDigitRun"/>: the first <see cref="MaxDigits"/> digits,
    /// the lengths of the first <see cref="MaxGroups"/> groups, and how they are written. Its buffers are the caller's
    /// stack.
    /// </summary>
    private ref struct DigitRun
    {
        public readonly Span<char> DigitBuffer;
        public readonly Span<int> GroupLengths;
        public int Count;
        public int Groups;
        public char Separator;
        public bool Plus;
        public bool Paren;
        public bool Mixed;

        /// <summary>Whether a <c>)</c> closed the opening parenthesis after the first group (<c>(212) 555-0143</c>).</summary>
        public bool ParenClosed;

        /// <summary>The offset of the first space between two groups, or 0.</summary>
        public int FirstSpace;

        public DigitRun(Span<char> digitBuffer, Span<int> groupLengths)
        {
            DigitBuffer = digitBuffer;
            GroupLengths = groupLengths;
        }

        /// <summary>Gets a value indicating whether the run starts with neither <c>+</c> nor <c>(</c>.</summary>
        public readonly bool Plain => !Plus && !Paren;

        /// <summary>Gets the digits (valid once <see cref="Count"/> is at most <see cref="MaxDigits"/>).</summary>
        public readonly ReadOnlySpan<char> Digits => DigitBuffer[..Count];

        /// <summary>Gets a value indicating whether the run is exactly three groups of the given lengths.</summary>
        public readonly bool IsGroups(int a, int b, int c) => Groups == 3 && GroupLengths[0] == a && GroupLengths[1] == b && GroupLengths[2] == c;
    }
}
