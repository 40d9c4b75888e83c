using System.Text;
using System.Text.Json;
using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Mirror.Alerts;

public sealed class AlertPayloadSpecs
{
    private static readonly Alert Late = new("0190a0b0-0000-7000-8000-000000000001", "late",
        new HealthChanged(new DeviceId("dev-1"), "ok", "late", 1_700_000_000_000, "no heartbeat for 125 s"));

    [Fact]
    public void Should_sign_with_hmac_sha256_in_lower_case_hex()
    {
        // RFC 4231, test case 2.
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            AlertPayload.Signature(Encoding.ASCII.GetBytes("Jefe"), Encoding.ASCII.GetBytes("what do ya want for nothing?")));
    }

    [Fact]
    public void Should_write_the_change_its_id_and_the_time_sent_in_a_fixed_order()
    {
        var body = Encoding.UTF8.GetString(AlertPayload.Body(Late, 1_700_000_000_500));

        Assert.Equal("""{"id":"0190a0b0-0000-7000-8000-000000000001","kind":"late","device":"dev-1","from":"ok","to":"late","at":1700000000000,"detail":"no heartbeat for 125 s","sentAt":1700000000500}""", body);
    }

    [Fact]
    public void Should_write_a_missing_detail_as_null_and_escape_what_needs_it()
    {
        var alert = Late with { Change = Late.Change with { Detail = null } };
        var quoted = Late with { Change = Late.Change with { Detail = "state digests differ: \"a\" ≠ \"b\"" } };

        using var plain = JsonDocument.Parse(AlertPayload.Body(alert, 1));
        using var escaped = JsonDocument.Parse(AlertPayload.Body(quoted, 1));

        Assert.Equal(JsonValueKind.Null, plain.RootElement.GetProperty("detail").ValueKind);
        Assert.Equal("state digests differ: \"a\" ≠ \"b\"", escaped.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void Should_give_another_signature_for_another_secret_or_another_body()
    {
        var secret = Encoding.UTF8.GetBytes("0123456789abcdef0123");
        var body = AlertPayload.Body(Late, 1);

        Assert.NotEqual(AlertPayload.Signature(secret, body), AlertPayload.Signature(Encoding.UTF8.GetBytes("0123456789abcdef0124"), body));
        Assert.NotEqual(AlertPayload.Signature(secret, body), AlertPayload.Signature(secret, AlertPayload.Body(Late, 2)));
    }
}
