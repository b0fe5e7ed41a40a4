namespace LlmKit;

/// <summary>
/// An A/B experiment cannot be defined or used as asked: its id is already defined with another template or other
/// variants, or it has ended. Experiment ids are not reused; define a new id for a changed experiment.
/// </summary>
public class TemplateExperimentConflictException : LlmKitException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TemplateExperimentConflictException()
        : base("The experiment conflicts with the stored one. Experiment ids are not reused; define the changed experiment under a new id.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    public TemplateExperimentConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and cause.</summary>
    /// <param name="message">What happened and what to do about it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TemplateExperimentConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for an experiment id.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="message">What happened and what to do about it.</param>
    public TemplateExperimentConflictException(string experimentId, string message)
        : base(message)
    {
        ExperimentId = experimentId;
    }

    /// <summary>Gets the experiment id, or <see langword="null"/>.</summary>
    public string? ExperimentId { get; }

    /// <inheritdoc/>
    public override LlmFailureKind FailureKind => LlmFailureKind.BadRequest;
}
