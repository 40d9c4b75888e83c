using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using IoTSync.Logs;
using IoTSync.Persistence;
using IoTSync.Serialization;

namespace IoTSync;

/// <summary>
/// Builds the ActorSystem setup every IoTSync node uses: its HOCON, our serializer, the journal (SQLite, or PostgreSQL for a mirror) —
/// for a plain ActorSystem (<see cref="Setup"/>) or on an Akka.Hosting builder (<see cref="AddIoTSyncSystem"/>);
/// and the two halves of a node: its core with no remoting (<see cref="AddIoTSyncCore"/>) and its edge,
/// the one system with remoting (<see cref="EdgeSetup"/>).
/// </summary>
public static class IoTSyncSystem
{
    /// <summary>What every node needs whatever its HOCON says: the serializer binding.</summary>
    public static Config Essentials { get; } = ConfigurationFactory.ParseString(IoTSyncSerializer.Hocon);

    /// <summary>
    /// What no node may be without, whatever its HOCON says (it goes in front of it): no serializer a
    /// peer could name to make us build a type of its choosing. Akka.Remote deserializes an inbound frame
    /// with the serializer the frame names before untrusted mode or our MAC look at it.
    /// </summary>
    public static Config Hardening { get; } = ConfigurationFactory.ParseString("""
        # Newtonsoft with type names (id 1, bound to System.Object by default) builds any CLR type a frame names.
        akka.actor.serializers.json = none
        # Akka.Remote's protobuf serializer (id 2) builds any type its manifest names.
        akka.actor.serializers.proto = none
        # A type without a binding of ours is refused, never handed to a default serializer.
        akka.actor.serialization-settings.allow-unregistered-types = false
        """);

    /// <summary>In front of the core's HOCON: no remoting, whatever the node's file says for its edge.</summary>
    public static Config LocalOnly { get; } = ConfigurationFactory.ParseString("akka.actor.provider = local");

    /// <summary>A node's configuration as its systems run it: <see cref="Hardening"/> in front, <see cref="Essentials"/> behind.</summary>
    public static Config Complete(Config nodeConfig) => Hardening.WithFallback(nodeConfig).WithFallback(Essentials);

    public static ActorSystemSetup Setup(Config nodeConfig, Action<string, System.Data.Common.DbConnection>? connectionObserver = null)
    {
        var config = Complete(nodeConfig);
        return JournalStore.CreateActorSystemSetup(IoTSyncPersistenceSettings.FromConfig(config), config, connectionObserver);
    }

    /// <summary>
    /// What <see cref="Setup"/> gives a plain ActorSystem, on an Akka.Hosting builder: the node's HOCON
    /// (our serializer and the journal's plugins — SQLite or PostgreSQL, <see cref="JournalStore"/> — in it) and the plugins' connection setup; Akka's log events
    /// go to Microsoft.Extensions.Logging at the node's <c>akka.loglevel</c>.
    /// </summary>
    /// <remarks>
    /// Akka.Persistence.Sql.Hosting is served only at an older version than Akka.Persistence.Sql here,
    /// so the SQLite wiring stays the project's own (<see cref="SqlitePersistence"/>), handed over as HOCON and a setup.
    /// </remarks>
    public static AkkaConfigurationBuilder AddIoTSyncSystem(this AkkaConfigurationBuilder builder, Config nodeConfig)
    {
        var config = Complete(nodeConfig);
        var persistence = IoTSyncPersistenceSettings.FromConfig(config);
        foreach (var setup in JournalStore.Setups(persistence))
            builder.AddSetup(setup);
        return builder
            .AddHocon(JournalStore.SystemConfig(persistence, config), HoconAddMode.Prepend)
            .AddHocon(Hardening, HoconAddMode.Prepend)
            // The host owns the stop: SIGTERM stops the hosted services in order (the device's interface
            // down first) and then the actor system. Akka's own process-exit hook would start
            // CoordinatedShutdown at once, beside that order.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Logging.LogLevelFor(config.GetString("akka.loglevel", "INFO"));
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
    }

    /// <summary>
    /// A node's core: <see cref="AddIoTSyncSystem"/> with no remoting at all (provider local), so nothing
    /// in it can be reached from the network; its edge (<see cref="Hosting.EdgeSystem"/>) is the only way in.
    /// </summary>
    public static AkkaConfigurationBuilder AddIoTSyncCore(this AkkaConfigurationBuilder builder, Config nodeConfig) =>
        builder.AddIoTSyncSystem(nodeConfig).AddHocon(LocalOnly, HoconAddMode.Prepend);

    /// <summary>
    /// The setup of a node's edge (<see cref="Hosting.EdgeSystem"/>): the node's HOCON with remoting and
    /// untrusted mode forced on, mutual TLS when <paramref name="tls"/> is given, <see cref="Hosting.EdgeGuardianStrategy"/> (a remote Kill does not stop the
    /// edge's actor), <see cref="Serialization.EdgeMiscSerializer"/> (a remote Kill is not even read) and <see cref="Hardening"/> in front, no persistence; Akka's log events go to
    /// <paramref name="loggerFactory"/> when one is given.
    /// </summary>
    public static ActorSystemSetup EdgeSetup(Config nodeConfig, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory, Security.EdgeTls? tls = null)
    {
        var loggers = loggerFactory is null ? "" : """akka.loggers = ["Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting"]""";
        var front = ConfigurationFactory.ParseString($"""
            akka.actor.provider = remote
            akka.remote.untrusted-mode = on
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            {Hosting.EdgeGuardianStrategy.Hocon}
            {Serialization.EdgeMiscSerializer.Hocon}
            {loggers}
            """);
        if (tls is not null)
            front = Security.EdgeTls.Hocon.WithFallback(front);
        var setups = new List<Setup> { BootstrapSetup.Create().WithConfig(front.WithFallback(Complete(nodeConfig))) };
        if (loggerFactory is not null)
            setups.Add(new Akka.Hosting.Logging.LoggerFactorySetup(loggerFactory));
        if (tls is not null)
            setups.Add(tls.Setup());
        return ActorSystemSetup.Create([.. setups]);
    }

    /// <summary>
    /// A node's configuration: its own file (<c>device.hocon</c> or <c>mirror.hocon</c>) over
    /// <c>shared.hocon</c> from the same directory. A clear error when either is missing or malformed,
    /// or has a key under <c>iotsync</c> that no node knows (<see cref="Configuration.ConfigReference.AnyNode"/>).
    /// </summary>
    public static Config LoadNodeConfig(string nodeFile) => LoadNodeConfig(nodeFile, Configuration.ConfigReference.AnyNode);

    /// <summary>
    /// A node's configuration, as <see cref="LoadNodeConfig(string)"/>, each of its two files refused when
    /// it has a key under <c>iotsync</c> that <paramref name="reference"/> does not know.
    /// </summary>
    public static Config LoadNodeConfig(string nodeFile, Configuration.ConfigReference reference)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(nodeFile))!;
        var shared = Path.Combine(directory, "shared.hocon");
        return ParseFile(nodeFile, reference).WithFallback(ParseFile(shared, reference));
    }

    private static Config ParseFile(string path, Configuration.ConfigReference reference)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"configuration file '{path}' does not exist");
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"configuration file '{path}' is not valid HOCON: {e.Message}");
        }
        reference.Check(config, path);
        return config;
    }

    /// <summary>Snapshot cadence, read-journal id and restart back-off for the log-holding actors, from <c>iotsync.persistence</c> and <c>iotsync.journal-restart</c>.</summary>
    public static LogHolderSettings LogHolderSettings(Config nodeConfig) =>
        new(IoTSyncPersistenceSettings.FromConfig(nodeConfig).SnapshotEvery, SqlitePersistence.ReadJournalPluginId, Sync.ExchangeSettings.MaxEntryBytes(nodeConfig))
        {
            Restart = JournalRestartSettings.FromConfig(nodeConfig),
        };
}
