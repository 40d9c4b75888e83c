namespace IoTSync.Sync;

/// <summary>The steps of an exchange, for reports and for crash tests that stop after each one.</summary>
public enum ExchangeStep
{
    Hello,
    Push,
    Pull,
    Done,
}
