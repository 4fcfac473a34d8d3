namespace ActorRollup.Harness;

/// <summary>
/// Every exit code of the <c>rollup</c> tool. Scripts can tell bad input (2) from an unreachable cluster (3), a refusal
/// by the chain (4), a deadline (5) and a broken guarantee of the protocol (6).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>An unexpected internal failure (a bug, or a process the harness started died).</summary>
    public const int Internal = 1;

    /// <summary>Bad input: a parse error or a rejected value, reported as one <c>error: …</c> line before anything changes.</summary>
    public const int Usage = 2;

    /// <summary>The cluster named by --gateway (or recorded by <c>cluster up</c>) cannot be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>The chain refused the request (an admission or staking reason other than Ok), does not know the thing asked for,
    /// or the silo refused the call at its trust boundary (no operator key, a wrong one, fault injection off).</summary>
    public const int Refused = 4;

    /// <summary>A --wait or --timeout deadline passed before the awaited level (or readiness) was reached.</summary>
    public const int TimedOut = 5;

    /// <summary><c>verify</c> found a violation, or <c>loadtest</c> lost, duplicated or miscounted something: a guarantee
    /// of the protocol does not hold on the chain.</summary>
    public const int AuditFailed = 6;

    /// <summary>Ctrl+C (SIGINT) stopped the command before it finished (128 + SIGINT, the shell's convention).</summary>
    public const int Interrupted = 130;
}
