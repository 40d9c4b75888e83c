using System.Globalization;

namespace IoTSync.Fleet;

/// <summary>Options of <c>iotsync-fleet</c>.</summary>
/// <param name="Devices">Simulated devices.</param>
/// <param name="Cycle">Each device's cycle: one window per cycle, the windows of the fleet spread evenly over it.</param>
/// <param name="WindowLimit">How long a window may last (heartbeat, session and all).</param>
/// <param name="WorkFraction">The fraction of devices that get commands left at the mirror before a window.</param>
/// <param name="CommandsPerWindow">How many commands such a device gets.</param>
/// <param name="Duration">How long the measured run lasts.</param>
/// <param name="Associations">How heartbeats reach the mirror.</param>
/// <param name="Check">After the run, let every device sync what is left and compare each with the mirror's state through the API.</param>
public sealed record FleetOptions(
    int Devices,
    TimeSpan Cycle,
    TimeSpan WindowLimit,
    double WorkFraction,
    int CommandsPerWindow,
    TimeSpan Duration,
    AssociationMode Associations,
    bool Check)
{
    /// <summary>
    /// Start the mirror on loopback, as the bench does: a single node (SQLite) and its host's sshd, or with
    /// <see cref="Nodes"/> above 1 or <see cref="Postgres"/> a cluster of that many nodes on a private PostgreSQL.
    /// </summary>
    public bool LocalMirror { get; init; }

    /// <summary>How many mirror nodes the local mirror has (node 1 the seed); 1: a single node.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>With one node: a cluster node on a private PostgreSQL instead of the single node on SQLite.</summary>
    public bool Postgres { get; init; }

    /// <summary>Whether the local mirror is a cluster of mirror nodes on PostgreSQL (rather than a single node on SQLite).</summary>
    public bool LocalCluster => Nodes > 1 || Postgres;

    /// <summary>The mirror to talk to, when not <see cref="LocalMirror"/>.</summary>
    public MirrorTarget? Target { get; init; }

    /// <summary>The mirror node's process, for CPU and memory (overrides the target's).</summary>
    public int? MirrorPid { get; init; }

    /// <summary>Where the JSON report goes; null: <see cref="ResultsDir"/>.</summary>
    public string? JsonFile { get; init; }

    /// <summary>The directory for a JSON report named by the time, when no <see cref="JsonFile"/>; null: none.</summary>
    public string? ResultsDir { get; init; }

    /// <summary>The seed of who has work when.</summary>
    public int Seed { get; init; } = 15;

    /// <summary>Leave the local mirror's directory (configs, logs, journals) here.</summary>
    public string? KeepDir { get; init; }

    /// <summary>The devices' ids: <c>PREFIX-00001</c>...</summary>
    public string IdPrefix { get; init; } = "fleet";

    /// <summary>Enrolments at once over the API.</summary>
    public int EnrolConcurrency { get; init; } = 8;

    public const string Usage =
        "usage: iotsync-fleet --devices N [--cycle SECONDS] [--window-limit SECONDS] [--work-fraction F] [--commands-per-window K]\n" +
        "                     [--duration SECONDS] [--associations own|shared:K] [--check] [--json FILE] [--results DIR] [--seed S]\n" +
        "                     (--local-mirror [--nodes M] [--postgres] [--keep DIR] | --mirror HOST:PORT --api URL --api-token-file FILE\n" +
        "                     --fleet-ca FILE --fleet-ca-key FILE --ssh HOST:PORT --ssh-user USER --ssh-host-key SHA256:...\n" +
        "                     --authorized-keys FILE [--mirror-system NAME] [--mirror-pid PID])\n" +
        "  --local-mirror: one mirror node on SQLite and its host's sshd on loopback; with --nodes M (M > 1) or --postgres, a private\n" +
        "  PostgreSQL (root, Debian's postgresql) and M mirror nodes in cluster mode on it (node 1 the seed), each with its own ports\n" +
        "  and host sshd; every device lists all nodes and moves to the next when one does not answer.";

    /// <summary>The options from the command line; an <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static FleetOptions Parse(IReadOnlyList<string> args)
    {
        var options = new FleetOptions(100, TimeSpan.FromSeconds(10), TimeSpan.Zero, 0.1, 2, TimeSpan.FromSeconds(60), AssociationMode.Own, false);
        var target = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--check": options = options with { Check = true }; continue;
                case "--local-mirror": options = options with { LocalMirror = true }; continue;
                case "--postgres": options = options with { Postgres = true }; continue;
            }
            if (i + 1 >= args.Count)
                throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            options = name switch
            {
                "--devices" => options with { Devices = Whole(name, value) },
                "--cycle" => options with { Cycle = Seconds(name, value) },
                "--window-limit" => options with { WindowLimit = Seconds(name, value) },
                "--work-fraction" => options with { WorkFraction = Fraction(name, value) },
                "--commands-per-window" => options with { CommandsPerWindow = Whole(name, value) },
                "--duration" => options with { Duration = Seconds(name, value) },
                "--associations" => options with { Associations = AssociationMode.Parse(value) },
                "--json" => options with { JsonFile = Path.GetFullPath(value) },
                "--results" => options with { ResultsDir = Path.GetFullPath(value) },
                "--seed" => options with { Seed = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException($"--seed: '{value}' is not a whole number") },
                "--keep" => options with { KeepDir = Path.GetFullPath(value) },
                "--mirror-pid" => options with { MirrorPid = Whole(name, value) },
                "--nodes" => options with { Nodes = Whole(name, value) },
                "--mirror" or "--mirror-system" or "--api" or "--api-token-file" or "--fleet-ca" or "--fleet-ca-key" or "--ssh" or "--ssh-user" or "--ssh-host-key" or "--authorized-keys" =>
                    Remember(options, target, name, value),
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        if (options.WindowLimit == TimeSpan.Zero)
            options = options with { WindowLimit = TimeSpan.FromMilliseconds(Math.Min(options.Cycle.TotalMilliseconds * 0.6, 5000)) };
        if (options.WindowLimit >= options.Cycle)
            throw new ArgumentException("--window-limit must be shorter than --cycle");
        if (!options.LocalMirror && (options.Nodes != 1 || options.Postgres))
            throw new ArgumentException("--nodes and --postgres choose the local mirror: they go with --local-mirror");
        if (options.LocalMirror == (target.Count > 0))
            throw new ArgumentException(options.LocalMirror
                ? $"--local-mirror starts its own mirror: {string.Join(", ", target.Keys)} do not go with it"
                : "give --local-mirror, or the mirror's --mirror, --api, --api-token-file, --fleet-ca, --fleet-ca-key, --ssh, --ssh-user, --ssh-host-key and --authorized-keys");
        return options.LocalMirror ? options : options with { Target = TargetOf(target, options.MirrorPid) };
    }

    private static FleetOptions Remember(FleetOptions options, Dictionary<string, string> target, string name, string value)
    {
        target[name] = value;
        return options;
    }

    private static MirrorTarget TargetOf(Dictionary<string, string> given, int? pid)
    {
        string Need(string name) => given.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{name} is needed without --local-mirror");
        (string Host, int Port) Endpoint(string name) =>
            Configuration.HostPort.TryParse(Need(name), out var host, out var port) ? (host, port) : throw new ArgumentException($"{name}: '{given[name]}' is not HOST:PORT");
        var mirror = Need("--mirror");
        Endpoint("--mirror");
        var (sshHost, sshPort) = Endpoint("--ssh");
        var tokenFile = Need("--api-token-file");
        if (!File.Exists(tokenFile))
            throw new ArgumentException($"--api-token-file: {tokenFile} does not exist");
        return new MirrorTarget([new MirrorNodeTarget(mirror, new Uri(Need("--api")), sshHost, sshPort, Path.GetFullPath(Need("--authorized-keys")), pid)],
            given.GetValueOrDefault("--mirror-system") ?? "iotsync-mirror", File.ReadAllText(tokenFile).Trim(),
            Path.GetFullPath(Need("--fleet-ca")), Path.GetFullPath(Need("--fleet-ca-key")), Need("--ssh-user"), Need("--ssh-host-key"));
    }

    private static int Whole(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new ArgumentException($"{name}: '{value}' is not a positive whole number");

    private static TimeSpan Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name}: '{value}' is not a positive number of seconds");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction) && fraction is >= 0 and <= 1
            ? fraction
            : throw new ArgumentException($"{name}: '{value}' is not a fraction from 0 to 1");
}
