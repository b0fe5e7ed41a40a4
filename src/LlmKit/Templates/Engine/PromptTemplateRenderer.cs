using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Validates inputs and renders templates into chat messages and options. Compiled templates are cached by
/// template id and version (and, for templates not from a store, by their message list), so each version is
/// parsed once.
/// </summary>
internal sealed class PromptTemplateRenderer
{
    /// <summary>The usage tag that names the experiment and variant a prompt was rendered for, written <c>{experiment}/{variant}</c>.</summary>
    public const string ExperimentTag = "llmkit.experiment";

    /// <summary>The usage tag that names the template version a prompt was rendered from, written <c>{id}@{version}</c>.</summary>
    public const string TemplateVersionTag = "llmkit.template";

    /// <summary>The bottom frame of the lookup stack: names resolve against the inputs, then the declared defaults.</summary>
    private static readonly object RootFrame = new();

    [ThreadStatic]
    private static RenderBuffer? t_buffer;

    [ThreadStatic]
    private static object?[]? t_frames;

    [ThreadStatic]
    private static bool t_busy;

    private readonly ConcurrentDictionary<(string Id, int Version), CompiledPromptTemplate> _byVersion = new();
    private readonly ConditionalWeakTable<IReadOnlyList<TemplateMessage>, CompiledPromptTemplate> _unversioned = new();
    private readonly IReadOnlyDictionary<string, string> _partials;
    private readonly bool _strict;
    private readonly ConcurrentDictionary<string, ChatResponseFormat> _formats = new(StringComparer.Ordinal);

    private readonly Func<IReadOnlyDictionary<string, object?>, string?>? _persona;

    public PromptTemplateRenderer(IReadOnlyDictionary<string, string>? partials = null, bool strict = true, Func<IReadOnlyDictionary<string, object?>, string?>? persona = null)
    {
        _partials = partials ?? new Dictionary<string, string>();
        _strict = strict;
        _persona = persona;
    }

    /// <summary>Gets the number of compiled template versions in the cache.</summary>
    public int CachedVersions => _byVersion.Count;

    public CompiledPromptTemplate GetCompiled(PromptTemplate template)
    {
        if (template.Version > 0)
        {
            var key = (template.Id, template.Version);
            if (_byVersion.TryGetValue(key, out var cached) && cached.IsFor(template.Messages, template.Engine))
            {
                return cached;
            }

            var compiled = CompiledPromptTemplate.Compile(template, _partials);
            _byVersion[key] = compiled;
            return compiled;
        }

        if (template.Messages is not null && _unversioned.TryGetValue(template.Messages, out var unversioned) && unversioned.Engine == template.Engine)
        {
            return unversioned;
        }

        var fresh = CompiledPromptTemplate.Compile(template, _partials);
        _unversioned.AddOrUpdate(template.Messages!, fresh);
        return fresh;
    }

    public RenderedPrompt Render(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, string? experimentId = null, string? variant = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(inputs);
        var compiled = GetCompiled(template);
        int count = compiled.Bodies.Length;
        var messages = new List<ChatMessage>(count);
        Span<int> ends = count <= 16 ? stackalloc int[16] : new int[count];
        var work = Begin();
        try
        {
            RenderAll(template, inputs, compiled, ref work, ends);
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                if (compiled.Segments is { } segments)
                {
                    AddSegment(messages, compiled.Roles[i], segments[i], work.Buffer.Slice(start, ends[i] - start), inputs);
                }
                else
                {
                    // Exactly sized: the only copy of each message's text is the string the message holds.
                    messages.Add(new ChatMessage(compiled.Roles[i], new string(work.Buffer.Slice(start, ends[i] - start))));
                }

                start = ends[i];
            }
        }
        finally
        {
            End(work);
        }

        return new RenderedPrompt
        {
            Messages = messages,
            Options = CreateOptions(template, compiled, experimentId, variant),
            TemplateId = template.Id,
            TemplateVersion = template.Version,
            ToolNames = template.Tools,
            ExperimentId = experimentId,
            ExperimentVariant = variant,
        };
    }

    /// <summary>
    /// Renders every message into the thread's buffer, then hands each message's role and text to
    /// <paramref name="writer"/> in order; nothing is handed over when the inputs do not fit (every problem is thrown first).
    /// </summary>
    /// <returns>The number of messages.</returns>
    public int RenderTo<TState>(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, TState state, RenderedMessageWriter<TState> writer)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(writer);
        var compiled = GetCompiled(template);
        if (compiled.Segments is not null)
        {
            throw new TemplateRenderException(template.Id, template.Version, ["the template has thread or image inputs, whose messages and content parts are not text; render it with Render (IPromptTemplateService.Render) instead of RenderTo."]);
        }

        int count = compiled.Bodies.Length;
        Span<int> ends = count <= 16 ? stackalloc int[16] : new int[count];
        var work = Begin();
        try
        {
            RenderAll(template, inputs, compiled, ref work, ends);
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                // The buffer stays taken while the writer runs, so a render inside the writer gets its own.
                writer(state, compiled.Roles[i], work.Buffer.Slice(start, ends[i] - start));
                start = ends[i];
            }
        }
        finally
        {
            End(work);
        }

        return count;
    }

    /// <summary>Takes this thread's buffer and frame stack, or fresh ones when a render is already running on the thread (a value's ToString or enumerator rendering again).</summary>
    private static Work Begin()
    {
        if (t_busy)
        {
            return new Work(new RenderBuffer(1024), new object?[16], Reused: false);
        }

        t_busy = true;
        return new Work(t_buffer ??= new RenderBuffer(4096), t_frames ??= new object?[16], Reused: true);
    }

    private static void End(Work work)
    {
        if (!work.Reused)
        {
            work.Buffer.Release();
            return;
        }

        Array.Clear(work.Frames);
        t_frames = work.Frames;
        work.Buffer.Length = 0;
        if (work.Buffer.Capacity > RenderBuffer.MaxRetainedLength)
        {
            work.Buffer.Release();
            t_buffer = null;
        }

        t_busy = false;
    }

    /// <summary>Validates the inputs and renders every message into <paramref name="work"/>'s buffer, recording where each ends; throws with every problem.</summary>
    private void RenderAll(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, CompiledPromptTemplate compiled, ref Work work, Span<int> ends)
    {
        List<string>? problems = null;
        ValidateInputs(template, inputs, ref problems);
        HashSet<MustacheNode>? reported = null;
        work.Buffer.Length = 0;
        if (compiled.FluidBodies is { } fluid)
        {
            if (problems is not null)
            {
                throw new TemplateRenderException(template.Id, template.Version, problems);
            }

            var values = FluidValues(template, inputs);
            string? persona = null;
            bool personaRead = false;
            for (int i = 0; i < fluid.Length; i++)
            {
                if (fluid[i] is not { } body)
                {
                    ends[i] = work.Buffer.Length;
                    continue;
                }

                if (body.UsesPersona && !personaRead)
                {
                    persona = _persona?.Invoke(inputs);
                    personaRead = true;
                }

                body.Render(work.Buffer, values, persona);
                ends[i] = work.Buffer.Length;
            }

            return;
        }

        for (int i = 0; i < compiled.Bodies.Length; i++)
        {
            work.Frames[0] = RootFrame;
            var state = new RenderState(work.Buffer, work.Frames, template, inputs, i, compiled.Roles[i]) { Persona = _persona };
            RenderNodes(compiled.Bodies[i], ref state, ref problems, ref reported);
            work = work with { Frames = state.Frames };
            ends[i] = work.Buffer.Length;
        }

        if (problems is not null)
        {
            throw new TemplateRenderException(template.Id, template.Version, problems);
        }
    }

    /// <summary>Adds a text body, a thread's messages or an image part to <paramref name="messages"/>.</summary>
    private static void AddSegment(List<ChatMessage> messages, ChatRole role, TemplateSegment segment, ReadOnlySpan<char> text, IReadOnlyDictionary<string, object?> inputs)
    {
        switch (segment.Kind)
        {
            case TemplateSegmentKind.Thread:
                if (inputs.TryGetValue(segment.Input!, out object? thread) && thread is IEnumerable<ChatMessage> turns)
                {
                    messages.AddRange(turns);
                }

                return;
            case TemplateSegmentKind.Image:
                if (inputs.TryGetValue(segment.Input!, out object? image) && image is not null)
                {
                    var part = TemplateValues.ToImage(image);
                    if (segment.ContinuesMessage && messages.Count > 0 && messages[^1].Role == role)
                    {
                        messages[^1].Contents.Add(part);
                    }
                    else
                    {
                        messages.Add(new ChatMessage(role, [part]));
                    }
                }

                return;
            default:
                if (segment.ContinuesMessage && messages.Count > 0 && messages[^1].Role == role)
                {
                    if (!text.IsEmpty)
                    {
                        messages[^1].Contents.Add(new TextContent(new string(text)));
                    }
                }
                else if (!text.IsWhiteSpace())
                {
                    messages.Add(new ChatMessage(role, new string(text)));
                }

                return;
        }
    }

    /// <summary>The values a Jinja2/Liquid body reads: the given inputs, then the declared inputs' defaults.</summary>
    private static IReadOnlyDictionary<string, object?> FluidValues(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs)
    {
        bool complete = true;
        foreach (var input in template.Inputs)
        {
            if (input.Default is not null && (!inputs.TryGetValue(input.Name, out object? given) || given is null))
            {
                complete = false;
                break;
            }
        }

        if (complete)
        {
            return inputs;
        }

        var values = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        foreach (var input in template.Inputs)
        {
            if (input.Default is { } fallback && (!values.TryGetValue(input.Name, out object? given) || given is null))
            {
                values[input.Name] = fallback;
            }
        }

        return values;
    }

    private ChatOptions CreateOptions(PromptTemplate template, CompiledPromptTemplate compiled, string? experimentId, string? variant)
    {
        var hints = template.ModelHints;
        var options = new ChatOptions();
        if (hints is not null)
        {
            options.ModelId = hints.Model;
            options.Temperature = hints.Temperature;
            options.TopP = hints.TopP;
            options.MaxOutputTokens = hints.MaxOutputTokens;
            options.FrequencyPenalty = hints.FrequencyPenalty;
            options.PresencePenalty = hints.PresencePenalty;
            options.Seed = hints.Seed;
            if (hints.StopSequences is { Count: > 0 } stops)
            {
                options.StopSequences = [.. stops];
            }

            options.ResponseFormat = ResponseFormat(template, hints.ResponseFormat);
            if (hints.AdditionalProperties is { Count: > 0 } extra)
            {
                var properties = new AdditionalPropertiesDictionary();
                foreach (var pair in extra)
                {
                    properties[pair.Key] = pair.Value;
                }

                options.AdditionalProperties = properties;
            }
        }

        var current = LlmRequestContext.Current;
        if (current is null && experimentId is null && template.Version > 0)
        {
            // The common case: no ambient context and no experiment, so every render of this version carries the same
            // (immutable) context, created once.
            return options.WithLlmContext(compiled.VersionContext ??= LlmRequestContext.Empty with
            {
                TemplateId = template.Id,
                TemplateVersion = template.Version,
                Tags = compiled.VersionTags ??= VersionTags(template),
            });
        }

        var ambient = current ?? LlmRequestContext.Empty;

        // LlmRequestContext.Empty's Tags can be null (static initialisation order), so copy only what is there.
        var ambientTags = ambient.Tags is { Count: > 0 } existing ? existing : null;
        var tags = ambient.Tags;
        if (experimentId is null && ambientTags is null && template.Version > 0)
        {
            // The common case shares one read-only tag set per compiled version.
            tags = compiled.VersionTags ??= VersionTags(template);
        }
        else if (experimentId is not null || template.Version > 0)
        {
            var merged = ambientTags is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(ambientTags, StringComparer.Ordinal);
            if (template.Version > 0)
            {
                merged[TemplateVersionTag] = $"{template.Id}@{template.Version}";
            }

            if (experimentId is not null)
            {
                merged[ExperimentTag] = $"{experimentId}/{variant}";
            }

            tags = merged;
        }

        var context = ambient with
        {
            TemplateId = template.Id,
            TemplateVersion = template.Version > 0 ? template.Version : null,
            ExperimentVariant = experimentId is null ? ambient.ExperimentVariant : variant,
            Tags = tags,
        };
        return options.WithLlmContext(context);
    }

    private static System.Collections.ObjectModel.ReadOnlyDictionary<string, string> VersionTags(PromptTemplate template)
        => new Dictionary<string, string>(1, StringComparer.Ordinal) { [TemplateVersionTag] = $"{template.Id}@{template.Version}" }.AsReadOnly();

    private ChatResponseFormat? ResponseFormat(PromptTemplate template, string? format)
    {
        if (format is null || format.Length == 0 || format.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (format.Equals("json", StringComparison.OrdinalIgnoreCase) || format.Equals("json_object", StringComparison.OrdinalIgnoreCase))
        {
            return ChatResponseFormat.Json;
        }

        if (_formats.TryGetValue(format, out var cached))
        {
            return cached;
        }

        JsonElement schema;
        try
        {
            using var document = JsonDocument.Parse(format);
            schema = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new TemplateParseException(CompiledPromptTemplate.Describe(template), 0, 0, $"the response format is neither 'text', 'json' nor a JSON schema: {ex.Message}", ex);
        }

        string name = template.Id.Replace('.', '_').Replace('/', '_');
        if (schema.TryGetProperty("json_schema", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
        {
            // The OpenAI wire shape {type: json_schema, json_schema: {name, schema}}.
            name = wrapped.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : name;
            schema = wrapped.TryGetProperty("schema", out var inner) ? inner : schema;
        }

        var created = ChatResponseFormat.ForJsonSchema(schema, name, template.Description);
        _formats.TryAdd(format, created);
        return created;
    }

    private void ValidateInputs(PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, ref List<string>? problems)
    {
        var declared = template.Inputs;
        int matched = 0;
        for (int i = 0; i < declared.Count; i++)
        {
            var input = declared[i];
            if (!inputs.TryGetValue(input.Name, out object? value))
            {
                if (input.IsRequired && input.Default is null)
                {
                    (problems ??= []).Add($"missing required input '{input.Name}'{Describe(input)}");
                }

                continue;
            }

            matched++;
            if (value is null)
            {
                if (input.IsRequired && input.Default is null)
                {
                    (problems ??= []).Add($"required input '{input.Name}' is null");
                }

                continue;
            }

            if (!TemplateValues.Matches(input.Type, value))
            {
                (problems ??= []).Add($"input '{input.Name}' must be {TypeName(input.Type)}, not {TemplateValues.Describe(value)}");
                continue;
            }

            if (input.AllowedValues is { Count: > 0 } allowed)
            {
                string? text = TemplateValues.AsText(value);
                bool ok = false;
                for (int a = 0; a < allowed.Count && !ok; a++)
                {
                    ok = string.Equals(allowed[a], text, StringComparison.Ordinal);
                }

                if (!ok)
                {
                    // The value itself is left out: inputs can hold personal data, and exception messages get logged.
                    (problems ??= []).Add($"input '{input.Name}' is not one of the allowed values: {string.Join(", ", allowed)}");
                }
            }

            if (input.JsonSchema is { } schema)
            {
                var schemaProblems = new List<string>();
                JsonSchemaSubset.Validate(schema, ToJson(value), input.Name, schemaProblems);
                foreach (string problem in schemaProblems)
                {
                    (problems ??= []).Add($"input '{input.Name}' does not match its JSON schema: {problem}");
                }
            }
        }

        if (_strict && declared.Count > 0 && inputs.Count > matched)
        {
            foreach (var pair in inputs)
            {
                if (!IsDeclared(declared, pair.Key))
                {
                    (problems ??= []).Add($"unknown input '{pair.Key}': the template declares {string.Join(", ", declared.Select(d => d.Name))}");
                }
            }
        }
    }

    private static JsonElement ToJson(object value)
        => value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, value.GetType());

    private static bool IsDeclared(IReadOnlyList<TemplateInput> declared, string name)
    {
        for (int i = 0; i < declared.Count; i++)
        {
            if (string.Equals(declared[i].Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(TemplateInput input)
        => input.Description is { Length: > 0 } description ? $" ({TypeName(input.Type)}: {description})" : $" ({TypeName(input.Type)})";

    private static string TypeName(TemplateInputType type) => type switch
    {
        TemplateInputType.Integer => "an integer",
        TemplateInputType.Number => "a number",
        TemplateInputType.Boolean => "a boolean",
        TemplateInputType.Array => "an array",
        TemplateInputType.Object => "an object",
        TemplateInputType.Thread => "a list of ChatMessage (a thread)",
        TemplateInputType.Image => "an image (DataContent, UriContent, Uri, or an http(s) or data: URI string)",
        _ => "a string",
    };

    private void RenderNodes(MustacheNode[] nodes, ref RenderState state, ref List<string>? problems, ref HashSet<MustacheNode>? reported)
    {
        for (int n = 0; n < nodes.Length; n++)
        {
            switch (nodes[n])
            {
                case MustacheTextNode text:
                    state.Buffer.Append(text.Text);
                    break;
                case MustacheVariableNode variable:
                    if (Resolve(ref state, variable.Path, variable.Name, variable, ref problems, ref reported, out object? value)
                        && !TemplateValues.TryAppend(state.Buffer, value))
                    {
                        Report(ref problems, ref reported, variable, ref state, $"'{{{{{variable.Name}}}}}' is a list or object; iterate it with a section '{{{{#{variable.Name}}}}}..{{{{/{variable.Name}}}}}'");
                    }

                    break;
                case MustacheSectionNode section:
                    RenderSection(section, ref state, ref problems, ref reported);
                    break;
                default:
                    break;
            }
        }
    }

    private void RenderSection(MustacheSectionNode section, ref RenderState state, ref List<string>? problems, ref HashSet<MustacheNode>? reported)
    {
        Resolve(ref state, section.Path, section.Name, section, ref problems, ref reported, out object? value);
        if (section.Inverted)
        {
            if (!TemplateValues.IsTruthy(value))
            {
                RenderNodes(section.Children, ref state, ref problems, ref reported);
            }

            return;
        }

        if (!TemplateValues.IsTruthy(value))
        {
            return;
        }

        if (value is JsonElement { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                Push(ref state, item);
                RenderNodes(section.Children, ref state, ref problems, ref reported);
                state.Depth--;
            }

            return;
        }

        if (value is IList list && TemplateValues.IsList(value))
        {
            // Arrays and lists by index: no enumerator to allocate.
            for (int i = 0; i < list.Count; i++)
            {
                Push(ref state, list[i]);
                RenderNodes(section.Children, ref state, ref problems, ref reported);
                state.Depth--;
            }

            return;
        }

        if (TemplateValues.IsList(value))
        {
            foreach (object? item in (IEnumerable)value!)
            {
                Push(ref state, item);
                RenderNodes(section.Children, ref state, ref problems, ref reported);
                state.Depth--;
            }

            return;
        }

        Push(ref state, value);
        RenderNodes(section.Children, ref state, ref problems, ref reported);
        state.Depth--;
    }

    private static void Push(ref RenderState state, object? value)
    {
        if (state.Depth == state.Frames.Length)
        {
            Array.Resize(ref state.Frames, state.Frames.Length * 2);
        }

        state.Frames[state.Depth++] = value;
    }

    private bool Resolve(ref RenderState state, string[] path, string name, MustacheNode node, ref List<string>? problems, ref HashSet<MustacheNode>? reported, out object? value)
    {
        if (path.Length == 0)
        {
            value = state.Frames[state.Depth - 1];
            if (ReferenceEquals(value, RootFrame))
            {
                Report(ref problems, ref reported, node, ref state, "'{{.}}' is only meaningful inside a section");
                value = null;
                return false;
            }

            return true;
        }

        object? current = null;
        bool found = false;
        for (int f = state.Depth - 1; f >= 0 && !found; f--)
        {
            found = ReferenceEquals(state.Frames[f], RootFrame) ? TryGetRoot(ref state, path[0], out current) : TemplateValues.TryGetMember(state.Frames[f], path[0], out current);
        }

        if (!found)
        {
            value = null;
            if (_strict)
            {
                var template = state.Template;
                string declared = template.Inputs.Count > 0 ? $"the template declares {string.Join(", ", template.Inputs.Select(i => i.Name))}" : "no input has this name";
                Report(ref problems, ref reported, node, ref state, $"'{{{{{name}}}}}' has no value: {declared}");
            }

            return false;
        }

        for (int s = 1; s < path.Length; s++)
        {
            if (current is null)
            {
                // An absent optional value: its fields are absent too.
                value = null;
                return true;
            }

            if (!TemplateValues.TryGetMember(current, path[s], out current))
            {
                value = null;
                if (_strict)
                {
                    Report(ref problems, ref reported, node, ref state, $"'{{{{{name}}}}}' has no value: '{string.Join('.', path, 0, s)}' has no field '{path[s]}'");
                }

                return false;
            }
        }

        value = current;
        return true;
    }

    private static void Report(ref List<string>? problems, ref HashSet<MustacheNode>? reported, MustacheNode node, ref RenderState state, string problem)
    {
        if ((reported ??= []).Add(node))
        {
            (problems ??= []).Add($"message {state.MessageIndex + 1} ({state.Role.Value}), line {node.Line}, column {node.Column}: {problem}");
        }
    }

    /// <summary>The root of the lookup: the given inputs, then the declared inputs' defaults; a declared optional input without a value is null.</summary>
    private static bool TryGetRoot(ref RenderState state, string name, out object? value)
    {
        if (name == LiquidTranslator.PersonaVariable)
        {
            value = state.Persona?.Invoke(state.Inputs) ?? string.Empty;
            return true;
        }

        if (state.Inputs.TryGetValue(name, out value))
        {
            if (value is null && Find(state.Template, name) is { Default: { } fallback })
            {
                value = fallback;
            }

            return true;
        }

        if (Find(state.Template, name) is { } input)
        {
            value = input.Default is { } d ? d : null;
            return true;
        }

        return false;
    }

    private static TemplateInput? Find(PromptTemplate template, string name)
    {
        var declared = template.Inputs;
        for (int i = 0; i < declared.Count; i++)
        {
            if (string.Equals(declared[i].Name, name, StringComparison.Ordinal))
            {
                return declared[i];
            }
        }

        return null;
    }

    private readonly record struct Work(RenderBuffer Buffer, object?[] Frames, bool Reused);

    private struct RenderState(RenderBuffer buffer, object?[] frames, PromptTemplate template, IReadOnlyDictionary<string, object?> inputs, int messageIndex, ChatRole role)
    {
        public RenderBuffer Buffer = buffer;
        public object?[] Frames = frames;
        public int Depth = 1;
        public PromptTemplate Template = template;
        public IReadOnlyDictionary<string, object?> Inputs = inputs;
        public int MessageIndex = messageIndex;
        public ChatRole Role = role;
        public Func<IReadOnlyDictionary<string, object?>, string?>? Persona;
    }
}
