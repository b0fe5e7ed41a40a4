namespace LlmKit;

/// <summary>Kinds of context words that raise (or, for version and reference words, lower) the score of a nearby candidate.</summary>
[Flags]
internal enum ContextKinds
{
    None = 0,
    Phone = 1,
    Ssn = 2,
    Routing = 4,
    Card = 8,
    Birth = 16,
    Passport = 32,
    DriverLicense = 64,
    Crypto = 128,
    Version = 256,
    Reference = 512,
    NationalId = 1024,
}
