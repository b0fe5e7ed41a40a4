namespace LlmKit;

/// <summary>
/// Follows a JSON value as it streams in, chunk by chunk, and knows at every moment the longest prefix that ends right after
/// a complete member or element, and the brackets that close it: that prefix plus the closers is a valid JSON value holding
/// every field completed so far. Text before the first bracket (prose, a code fence) and after the value is ignored.
/// Scanning costs a few operations per character; nothing is parsed until <see cref="Snapshot"/> is asked for.
/// </summary>
internal sealed class PartialJsonReader
{
    private readonly System.Text.StringBuilder _text = new();
    private readonly List<Frame> _stack = new(8);
    private ulong _safeKinds;
    private int _safeDepth;
    private int _start = -1;
    private int _safeEnd = -1;
    private bool _inString;
    private bool _escape;
    private bool _stringIsKey;
    private bool _inScalar;
    private int _completed;

    private struct Frame
    {
        public bool IsObject;
        public bool ExpectingKey;
    }

    /// <summary>Gets how many members and elements have completed so far (it grows as fields complete).</summary>
    public int Completed => _completed;

    /// <summary>Gets whether the root value has closed.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Adds a chunk; returns whether a member or element completed in it.</summary>
    public bool Append(ReadOnlySpan<char> chunk)
    {
        int before = _completed;
        int offset = _text.Length;
        _text.Append(chunk);
        for (int i = 0; i < chunk.Length && !IsComplete; i++)
        {
            Step(chunk[i], offset + i);
        }

        return _completed != before;
    }

    /// <summary>Returns the completed part as a valid JSON text, or <see langword="null"/> before the root value starts.</summary>
    public string? Snapshot()
    {
        if (_start < 0 || _safeEnd < 0)
        {
            return null;
        }

        var closers = (Span<char>)stackalloc char[Math.Min(_safeDepth, 64)];
        for (int i = 0; i < closers.Length; i++)
        {
            closers[i] = (_safeKinds & (1UL << (closers.Length - 1 - i))) != 0 ? '}' : ']';
        }

        return string.Concat(_text.ToString(_start, _safeEnd - _start).AsSpan(), closers);
    }

    private void Step(char c, int at)
    {
        if (_start < 0)
        {
            if (c is '{' or '[')
            {
                _start = at;
                Open(c == '{', at);
            }

            return;
        }

        if (_inString)
        {
            if (_escape)
            {
                _escape = false;
            }
            else if (c == '\\')
            {
                _escape = true;
            }
            else if (c == '"')
            {
                _inString = false;
                if (!_stringIsKey)
                {
                    ValueDone(at + 1);
                }
            }

            return;
        }

        if (_inScalar)
        {
            if (c is ',' or '}' or ']' || char.IsWhiteSpace(c))
            {
                _inScalar = false;
                ValueDone(at);
            }
            else
            {
                return;
            }
        }

        switch (c)
        {
            case '{' or '[':
                Open(c == '{', at);
                break;
            case '}' or ']':
                _stack.RemoveAt(_stack.Count - 1);
                if (_stack.Count == 0)
                {
                    IsComplete = true;
                    _safeEnd = at + 1;
                    _safeDepth = 0;
                    _completed++;
                }
                else
                {
                    ValueDone(at + 1);
                }

                break;
            case '"':
                _inString = true;
                var top = _stack[^1];
                _stringIsKey = top.IsObject && top.ExpectingKey;
                break;
            case ':':
                SetExpectingKey(false);
                break;
            case ',':
                if (_stack[^1].IsObject)
                {
                    SetExpectingKey(true);
                }

                break;
            default:
                if (!char.IsWhiteSpace(c))
                {
                    _inScalar = true;
                }

                break;
        }
    }

    private void Open(bool isObject, int at)
    {
        _stack.Add(new Frame { IsObject = isObject, ExpectingKey = isObject });

        // A container just opened is itself a safe point only at the root ("{}"); a nested one waits until it holds something.
        if (_stack.Count == 1)
        {
            _safeEnd = at + 1;
            MarkClosers();
        }
    }

    private void ValueDone(int end)
    {
        _safeEnd = end;
        MarkClosers();
        _completed++;
    }

    private void SetExpectingKey(bool value)
    {
        var top = _stack[^1];
        top.ExpectingKey = value;
        _stack[^1] = top;
    }

    /// <summary>Remembers the open containers at the safe point (bit i set: frame i is an object), without allocating.</summary>
    private void MarkClosers()
    {
        ulong kinds = 0;
        int depth = Math.Min(_stack.Count, 64);
        for (int i = 0; i < depth; i++)
        {
            if (_stack[i].IsObject)
            {
                kinds |= 1UL << i;
            }
        }

        _safeKinds = kinds;
        _safeDepth = depth;
    }
}
