namespace ActorRollup.Harness;

/// <summary>Entry point of the <c>rollup</c> tool; all behaviour lives in <see cref="Cli"/>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await Cli.RunAsync(args, Console.Out, Console.Error, cancel.Token);
    }
}
