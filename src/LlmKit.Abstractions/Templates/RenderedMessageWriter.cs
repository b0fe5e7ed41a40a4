using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// Receives one rendered message from <see cref="IPromptTemplateService.RenderTo{TState}"/>: its role and its text,
/// which lives in the renderer's reused buffer and is valid only during the call. Copy it (to a stream, a pipe, an
/// <see cref="System.Buffers.IBufferWriter{T}"/>) before returning.
/// </summary>
/// <typeparam name="TState">The caller's state, passed through so the writer needs no closure.</typeparam>
/// <param name="state">The state given to <see cref="IPromptTemplateService.RenderTo{TState}"/>.</param>
/// <param name="role">The message's role, from the template's structure.</param>
/// <param name="text">The message's rendered text; valid only until the writer returns.</param>
public delegate void RenderedMessageWriter<in TState>(TState state, ChatRole role, ReadOnlySpan<char> text);
