namespace IoTSync.Testing.Soak;

/// <summary>The faults the <see cref="Nemesis"/> injects.</summary>
public enum NemesisAct
{
    /// <summary>SIGKILL of the mirror node, then a restart.</summary>
    CrashMirror,

    /// <summary>SIGKILL of the device node alone (its command runners live on), then a restart.</summary>
    CrashDevice,

    /// <summary>SIGSTOP of the mirror node, SIGCONT a few seconds later.</summary>
    FreezeMirror,

    /// <summary>SIGSTOP of the device node, SIGCONT a few seconds later.</summary>
    FreezeDevice,

    /// <summary>The device's database disk filled, freed a few seconds later.</summary>
    FillDisk,

    /// <summary>The device's sync relay SIGKILLed while a session runs: the session cut mid-frame.</summary>
    CutSession,
}
