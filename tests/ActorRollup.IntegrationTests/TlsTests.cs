using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ActorRollup.Abstractions;
using ActorRollup.Harness.Connection;
using ActorRollup.Silo;
using ActorRollup.Silo.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A silo in this process configured as the silo host configures itself (RollupSilo.ConfigureSilo) with
/// Cluster:Tls on loopback, from PEM files of a CA made for the fixture; plus a second, unrelated CA.
/// </summary>
public sealed class TlsSiloFixture : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
    private IHost? _silo;

    public string Folder { get; } = Directory.CreateTempSubdirectory("actorrollup-tls-").FullName;
    public int GatewayPort { get; private set; }
    public CertificateAuthority Ca { get; } = CertificateAuthority.Create("test cluster CA", Lifetime);
    public CertificateAuthority OtherCa { get; } = CertificateAuthority.Create("another CA", Lifetime);
    /// <summary>A client certificate of the cluster's CA, as --tls-* / Cluster:Tls settings (PEM files).</summary>
    public TlsSettings Client { get; private set; } = new();

    public async Task InitializeAsync()
    {
        var silo = Write("silo", Ca.IssueSilo("test-silo", Lifetime), Ca);
        Client = Write("client", Ca.IssueClient("test-client", Lifetime), Ca);
        var port = FreePort();
        GatewayPort = FreePort();
        var settings = new ClusterSettings
        {
            SiloPort = port, PrimarySiloPort = port, GatewayPort = GatewayPort, Tls = silo, // the default cluster id, as the harness expects
        };
        Assert.Empty(settings.Validate());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleans(s => RollupSilo.ConfigureSilo(s, settings));
        _silo = builder.Build();
        await _silo.StartAsync();
        ClusterId = settings.ClusterId;
    }

    public string ClusterId { get; private set; } = "";

    /// <summary>Writes a certificate, its key and a CA as PEM files; the settings that name them.</summary>
    public TlsSettings Write(string name, X509Certificate2 certificate, CertificateAuthority ca)
    {
        var settings = new TlsSettings
        {
            Enabled = true,
            Certificate = Path.Combine(Folder, name + ".pem"),
            Key = Path.Combine(Folder, name + ".key"),
            Ca = Path.Combine(Folder, name + "-ca.pem"),
        };
        CertificateAuthority.WriteCertificate(certificate, settings.Certificate);
        CertificateAuthority.WritePrivateKey(certificate, settings.Key);
        CertificateAuthority.WriteCertificate(ca.Certificate, settings.Ca);
        certificate.Dispose();
        return settings;
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
        Ca.Dispose();
        OtherCa.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Mutual TLS (issue 10, point 5): a client with a certificate of the cluster's CA calls a grain; a plain client, a
/// TLS client without a certificate and one with a certificate of another CA cannot connect — each refused within a
/// few seconds, not left hanging; and a client does not talk to a gateway whose certificate is not of its CA.
/// Runs in the local-cluster collection (alone): a second silo beside the test cluster would starve both.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class TlsTests(TlsSiloFixture silo) : IClassFixture<TlsSiloFixture>
{
    /// <summary>A refused client must know within this long (a refusal takes milliseconds; the harness asks why after 1 s).</summary>
    private static readonly TimeSpan RefusalDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How long a plain Orleans client is given to get a call through (one with the CA's certificate needs about a second).</summary>
    private static readonly TimeSpan ClientBound = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_client_with_a_certificate_of_the_cluster_CA_calls_a_grain()
    {
        using var material = ClusterTls.Load(silo.Client);
        await using var client = await StartClient(o => Mutual(o, material));
        Assert.Equal(43, await client.Services.GetRequiredService<IClusterClient>().GetGrain<IPingGrain>(0).Ping(42));
    }

    [Fact]
    public async Task The_harness_connection_presents_the_tls_options_certificate()
    {
        HarnessTls.Apply(silo.Client);
        try
        {
            await using var connection = await ClusterConnection.OpenAsync([$"127.0.0.1:{silo.GatewayPort}"], Path.Combine(silo.Folder, "no-state"));
            Assert.Equal(8, await connection.Grains.GetGrain<IPingGrain>(0).Ping(7));
        }
        finally
        {
            HarnessTls.Apply(null);
        }
    }

    [Fact]
    public async Task A_client_without_a_certificate_cannot_connect()
    {
        // A plain Orleans client (what anyone can run), and a TLS client that trusts the gateway but has no certificate.
        await AssertNoConnection(configureTls: null);
        using var cluster = ClusterTls.Load(silo.Client);
        await AssertNoConnection(o =>
        {
            o.LocalCertificate = null;
            o.ClientCertificateMode = RemoteCertificateMode.AllowCertificate;
            o.RemoteCertificateValidation = (c, chain, errors) => ClusterTls.Accepts(c, chain, errors, cluster.Authority);
            o.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = "127.0.0.1";
        });
        // The gateway refuses the handshake itself (it is not merely slow)...
        var probe = await TlsProbe.ProbeAsync(Gateway, null, RefusalDeadline);
        Assert.True(probe.Outcome == TlsProbe.Outcome.Refused, probe.Detail);
        // ...and the harness says so within a few seconds, in one line.
        var error = await HarnessRefusal(null);
        Assert.Contains("requires a client certificate", error);
        Assert.Contains("--tls-cert", error);
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_another_CA_cannot_connect()
    {
        // Its certificate is of another CA; it trusts the cluster's CA (so it is the silo that refuses it, not itself).
        var other = silo.Write("other-client", silo.OtherCa.IssueClient("intruder", TimeSpan.FromDays(1)), silo.OtherCa);
        using var intruder = ClusterTls.Load(other);
        using var cluster = ClusterTls.Load(silo.Client);
        await AssertNoConnection(o =>
        {
            Mutual(o, intruder);
            o.RemoteCertificateValidation = (c, chain, errors) => ClusterTls.Accepts(c, chain, errors, cluster.Authority);
        });
        using var presented = new TlsMaterial(X509CertificateLoader.LoadPkcs12(intruder.Certificate.Export(X509ContentType.Pkcs12), null),
            [X509CertificateLoader.LoadCertificate(cluster.Authority[0].RawData)]);
        var probe = await TlsProbe.ProbeAsync(Gateway, presented, RefusalDeadline);
        Assert.True(probe.Outcome == TlsProbe.Outcome.Refused, probe.Detail);
        Assert.Contains("refused the certificate CN=intruder", probe.Detail);
        // The harness with that certificate (and its own CA, as --tls-* would have it): one line, within the bound.
        Assert.Contains("gateway at 127.0.0.1", await HarnessRefusal(other));
    }

    [Fact]
    public async Task A_client_refuses_a_gateway_whose_certificate_is_not_of_its_CA()
    {
        // A valid client certificate of the cluster's CA, but the client trusts only another CA: it must drop the gateway.
        using var otherRoot = X509CertificateLoader.LoadCertificate(silo.OtherCa.Certificate.RawData);
        var other = new X509Certificate2Collection(otherRoot);
        using var material = ClusterTls.Load(silo.Client);
        await AssertNoConnection(o =>
        {
            Mutual(o, material);
            o.RemoteCertificateValidation = (c, chain, errors) => ClusterTls.Accepts(c, chain, errors, other);
        });
        using var trustingOther = new TlsMaterial(X509CertificateLoader.LoadPkcs12(material.Certificate.Export(X509ContentType.Pkcs12), null),
            [X509CertificateLoader.LoadCertificate(otherRoot.RawData)]);
        var probe = await TlsProbe.ProbeAsync(Gateway, trustingOther, RefusalDeadline);
        Assert.Equal(TlsProbe.Outcome.GatewayUntrusted, probe.Outcome);
        Assert.Contains("not issued by this client's CA", probe.Detail);
    }

    [Fact]
    public void Settings_that_name_missing_or_mismatched_files_are_refused_with_the_setting_named()
    {
        Assert.Contains(new TlsSettings { Enabled = true }.Validate(), e => e.Contains("Cluster:Tls:Certificate is required"));
        Assert.Contains(new TlsSettings { Enabled = true, Certificate = silo.Client.Certificate, Ca = silo.Client.Ca }.Validate(), e => e.Contains("Cluster:Tls:Key is required"));
        Assert.Contains(new TlsSettings { Enabled = true, Certificate = silo.Client.Certificate, Key = silo.Client.Key, Ca = Path.Combine(silo.Folder, "none.pem") }.Validate(),
            e => e.Contains("Cluster:Tls:Ca") && e.Contains("does not exist"));
        // A certificate of another CA than the one configured: refused at start-up, not at the first connection.
        var other = silo.Write("stray", silo.OtherCa.IssueClient("stray", TimeSpan.FromDays(1)), silo.OtherCa);
        Assert.Contains((other with { Ca = silo.Client.Ca }).Validate(), e => e.Contains("is not issued by Cluster:Tls:Ca"));
        // A key that is not the certificate's.
        Assert.Contains((silo.Client with { Key = other.Key }).Validate(), e => e.Contains("cannot be loaded"));
        Assert.Empty(new TlsSettings().Validate()); // off: nothing is read
    }

    private static void Mutual(TlsOptions options, TlsMaterial material)
    {
        options.LocalCertificate = material.Certificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (c, chain, errors) => ClusterTls.Accepts(c, chain, errors, material.Authority);
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = "127.0.0.1";
    }

    /// <summary>A client of the fixture's gateway (TLS configured by <paramref name="configureTls"/>, none when null), started and checked with one call.</summary>
    private async Task<AsyncHost> StartClient(Action<TlsOptions>? configureTls, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort));
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = "actorrollup";
            });
            if (configureTls is not null) client.UseTls(configureTls);
        });
        var host = new AsyncHost(builder.Build());
        try
        {
            await host.Host.StartAsync(cancellationToken);
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IPingGrain>(0).Ping(1).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private IPEndPoint Gateway => new(IPAddress.Loopback, silo.GatewayPort);

    /// <summary>An Orleans client (TLS configured by <paramref name="configureTls"/>, plain when null) does not get one
    /// call through within <see cref="ClientBound"/> (an Orleans client whose connection is dropped retries on its own
    /// and never says why: the bound makes it give up; the probe and the harness then show the refusal is immediate).</summary>
    private async Task AssertNoConnection(Action<TlsOptions>? configureTls)
    {
        var clock = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(ClientBound);
        var error = await Record.ExceptionAsync(async () => await (await StartClient(configureTls, bound.Token)).DisposeAsync());
        Assert.NotNull(error);
        Assert.True(clock.Elapsed < ClientBound + TimeSpan.FromSeconds(2), $"the client took {clock.Elapsed.TotalSeconds:0.0} s to give up");
    }

    /// <summary>The harness's connection with <paramref name="settings"/> (plain when null) fails with one line, within <see cref="RefusalDeadline"/>.</summary>
    private async Task<string> HarnessRefusal(TlsSettings? settings)
    {
        HarnessTls.Apply(settings);
        try
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<ClusterUnreachableException>(() => ClusterConnection.OpenAsync([$"127.0.0.1:{silo.GatewayPort}"], Path.Combine(silo.Folder, "no-state")));
            Assert.True(clock.Elapsed < RefusalDeadline, $"the harness took {clock.Elapsed.TotalSeconds:0.0} s to give up: {error.Message}");
            Assert.DoesNotContain('\n', error.Message);
            return error.Message;
        }
        finally
        {
            HarnessTls.Apply(null);
        }
    }

    private sealed class AsyncHost(IHost host) : IAsyncDisposable
    {
        public IHost Host { get; } = host;
        public IServiceProvider Services => Host.Services;

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
            Host.Dispose();
        }
    }
}
