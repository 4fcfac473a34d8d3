namespace ActorRollup.Abstractions.Security;

/// <summary>Who may call a grain method (docs/SECURITY.md). The silo's trust-boundary call filter enforces it on every
/// incoming call; a method of an ActorRollup grain interface without a class is refused to everyone.</summary>
public enum CallerClass
{
    /// <summary>Any client: submissions, signed actions, queries — what the protocol lets an outsider do because a
    /// signature (or nothing at all) authorises it.</summary>
    Public = 0,

    /// <summary>A node operator: a caller presenting the cluster's operator key (bootstrap, fault injection, retire).</summary>
    Operator = 1,

    /// <summary>The cluster's own grains only (grain-to-grain calls stamped with the cluster's internal key).</summary>
    Internal = 2,
}

/// <summary>Declares a grain interface method's <see cref="CallerClass"/>; use one of the three concrete attributes.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public abstract class CallerClassAttribute(CallerClass callers) : Attribute
{
    public CallerClass Callers { get; } = callers;
}

/// <summary>Any client may call this method.</summary>
public sealed class PublicCallAttribute() : CallerClassAttribute(CallerClass.Public);

/// <summary>Only a caller presenting the operator key may call this method.</summary>
public sealed class OperatorCallAttribute() : CallerClassAttribute(CallerClass.Operator);

/// <summary>Only the cluster's own grains may call this method.</summary>
public sealed class InternalCallAttribute() : CallerClassAttribute(CallerClass.Internal);

/// <summary>Why the silo refused a call at the trust boundary (the <c>reason</c> tag of the refusal counter).</summary>
public static class CallRefusal
{
    /// <summary>An internal method called without the cluster's internal key.</summary>
    public const string InternalOnly = "internal-only";
    /// <summary>An operator method called without an operator key.</summary>
    public const string OperatorKeyRequired = "operator-key-required";
    /// <summary>An operator method called with a key that is not the cluster's.</summary>
    public const string BadOperatorKey = "bad-operator-key";
    /// <summary>A method of an ActorRollup grain that declares no caller class, or an interface a client may not use.</summary>
    public const string Undeclared = "undeclared-method";
    /// <summary>Fault injection on a chain whose configuration does not allow it (<c>Chain:AllowFaultInjection</c>).</summary>
    public const string FaultInjectionDisabled = "fault-injection-disabled";
    /// <summary>An operator call aimed at a member (sequencer, validator) the chain does not have.</summary>
    public const string UnknownMember = "unknown-member";
    /// <summary>An argument beyond its documented bound (a count, a size, a height range).</summary>
    public const string ArgumentOutOfBounds = "argument-out-of-bounds";
    /// <summary>A member key handed to a grain is not the one the chain's published genesis names for it.</summary>
    public const string KeyMismatch = "key-mismatch";
    /// <summary>An internal claim that disagrees with the protocol's better source (rotation's record of a term, the
    /// chain's head or genesis, a sequencer's own pool, a signature): refused, nothing changed.</summary>
    public const string ContradictsRecord = "contradicts-record";
    /// <summary>An internal call that moves money (funding, a reporter credit, settlement's setup or a withdrawal of
    /// batches) whose evidence the protocol's own record does not confirm (docs/SECURITY.md, defence in depth).</summary>
    public const string Unproven = "unproven";
    /// <summary>A read of history the chain no longer holds: a height below its oldest retained height
    /// (<c>Chain:HistoryRetentionBlocks</c>, docs/PROTOCOL.md §11). Nothing was rolled back; the block was final.</summary>
    public const string Pruned = "pruned";
}

/// <summary>A call the silo refused at the trust boundary or because an argument broke a bound. It changed nothing.
/// Serialized to the caller, so clients see the reason code.</summary>
[GenerateSerializer, Alias("ar.CallRefusedException")]
public sealed class CallRefusedException : Exception
{
    public CallRefusedException(string reason, string message) : base(message) => Reason = reason;

    /// <summary>One of <see cref="CallRefusal"/>'s codes.</summary>
    [Id(0)] public string Reason { get; init; }
}

/// <summary>Reads of a chain's history that may reach below what it retains (Chain:HistoryRetentionBlocks).</summary>
public static class PrunedReads
{
    /// <summary>The answer of <paramref name="read"/>, or null when the chain refused it as pruned (<see cref="CallRefusal.Pruned"/>):
    /// for a reader that counts missing heights rather than fails on them.</summary>
    public static async Task<T?> OrNullIfPruned<T>(this Task<T?> read) where T : class
    {
        try
        {
            return await read;
        }
        catch (CallRefusedException e) when (e.Reason == CallRefusal.Pruned)
        {
            return null;
        }
    }
}
