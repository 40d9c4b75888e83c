using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Mirror.Alerts;

public sealed class AlertRoutingSpecs
{
    private static readonly DeviceId One = new("dev-1");
    private static readonly DeviceId Two = new("dev-2");

    private static HealthChanged Change(DeviceId device, string from, string to) => new(device, from, to, 1_700_000_000_000, null);

    /// <summary>Routes the changes in turn and gives the kinds sent ("-" where nothing is).</summary>
    private static string[] Kinds(AlertRouting routing, params HealthChanged[] changes)
    {
        var kinds = new List<string>();
        foreach (var change in changes)
        {
            (routing, var kind) = routing.Route(change);
            kinds.Add(kind ?? "-");
        }
        return [.. kinds];
    }

    [Fact]
    public void Should_send_each_kind_of_trouble_taken_and_the_recovery_from_it()
    {
        var routing = AlertRouting.For(AlertKinds.Default);

        Assert.Equal(["late", "recovered", "failing", "recovered", "diverged", "corrupt", "recovered"], Kinds(routing,
            Change(One, "ok", "late"), Change(One, "late", "ok"),
            Change(One, "dark", "failing"), Change(One, "failing", "dark"),
            Change(One, "ok", "diverged"), Change(One, "diverged", "corrupt"), Change(One, "corrupt", "ok")));
    }

    [Fact]
    public void Should_not_send_mismatch_by_default_nor_its_recovery()
    {
        Assert.Equal(["-", "-"], Kinds(AlertRouting.For(AlertKinds.Default), Change(One, "ok", "mismatch"), Change(One, "mismatch", "ok")));
        Assert.Equal(["mismatch", "recovered"], Kinds(AlertRouting.For(AlertKinds.All), Change(One, "ok", "mismatch"), Change(One, "mismatch", "ok")));
    }

    [Fact]
    public void Should_tell_a_webhook_the_end_of_every_episode_it_heard_begin_and_of_no_other()
    {
        var lateOnly = AlertRouting.For(["late", AlertKinds.Recovered]);

        Assert.Equal(["late", "-", "recovered"], Kinds(lateOnly, Change(One, "ok", "late"), Change(One, "late", "failing"), Change(One, "failing", "ok")));
        Assert.Equal(["-", "-"], Kinds(lateOnly, Change(One, "ok", "failing"), Change(One, "failing", "ok")));
        Assert.Equal(["late", "late", "recovered", "-"], Kinds(lateOnly,
            Change(One, "ok", "late"), Change(Two, "ok", "late"), Change(One, "late", "dark"), Change(One, "dark", "ok")));
    }

    [Fact]
    public void Should_send_trouble_without_recoveries_when_recovered_is_not_taken()
    {
        Assert.Equal(["late", "-"], Kinds(AlertRouting.For(["late"]), Change(One, "ok", "late"), Change(One, "late", "ok")));
    }

    [Fact]
    public void Should_send_a_device_first_seen_in_trouble()
    {
        Assert.Equal(["diverged", "recovered"], Kinds(AlertRouting.For(AlertKinds.Default),
            Change(One, HealthChanges.Unknown, "diverged"), Change(One, "diverged", "ok")));
    }
}
