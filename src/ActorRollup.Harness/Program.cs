namespace ActorRollup.Harness;

/// <summary>Entry point of the <c>rollup</c> tool; all behaviour lives in <see cref="Cli"/>.</summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
}
