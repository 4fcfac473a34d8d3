using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace ActorRollup.Silo.Tls;

/// <summary>
/// Mutual TLS on Orleans' connections (Microsoft.Orleans.Connections.Security), the one place that says how a peer is
/// trusted. Both ends must present a certificate; a peer is accepted when its certificate chains to the configured CA
/// alone (<see cref="X509ChainTrustMode.CustomRootTrust"/>: the machine's roots count for nothing), carries the usage
/// its role needs (a silo or gateway: serverAuth; whoever connects: clientAuth — TLS asks the chain for it), and, when
/// it is the server, names the address that was dialled (a subject alternative name of that IP). Used by the silo
/// (silo and gateway ports, and its connections to other silos) and by the harness's client.
/// </summary>
public static class ClusterTls
{
    /// <summary>How long a TLS handshake may take before the connection is dropped (Orleans' default is 10 s; a
    /// refused peer then fails fast instead of waiting out a long handshake).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Loads the certificate, its key and the CA, and checks that the certificate itself chains to the CA.</summary>
    public static TlsMaterial Load(TlsSettings settings, TlsSettings.Names? names = null)
    {
        names ??= TlsSettings.Names.Configuration;
        var authority = TlsMaterial.LoadAuthority(settings.Ca, names);
        X509Certificate2 certificate;
        try
        {
            certificate = TlsMaterial.LoadCertificate(settings, names);
        }
        catch
        {
            foreach (var ca in authority) ca.Dispose();
            throw;
        }
        var material = new TlsMaterial(certificate, authority);
        if (!ChainsTo(certificate, authority, null, out var why))
        {
            material.Dispose();
            throw new TlsMaterialException($"{names.Certificate} '{settings.Certificate}' is not issued by {names.Ca} '{settings.Ca}': {why}");
        }
        return material;
    }

    /// <summary>TLS on the silo port, the gateway port and the silo's own connections to other silos.</summary>
    public static void ConfigureSilo(ISiloBuilder silo, TlsMaterial material) => silo.UseTls(options => Configure(options, material));

    /// <summary>TLS on a client's connections to gateways, presenting <paramref name="material"/>'s certificate.</summary>
    public static void ConfigureClient(IClientBuilder client, TlsMaterial material) => client.UseTls(options => Configure(options, material));

    private static void Configure(TlsOptions options, TlsMaterial material)
    {
        options.LocalCertificate = material.Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.HandshakeTimeout = HandshakeTimeout;
        options.RemoteCertificateValidation = (certificate, chain, errors) => Accepts(certificate, chain, errors, material.Authority);
        // The server's certificate must name the address dialled (SslStream checks it against TargetHost).
        options.OnAuthenticateAsClient = (connection, ssl) => ssl.TargetHost = TargetHost(connection.RemoteEndPoint);
    }

    /// <summary>
    /// The validation both ends run: TLS's own checks are kept except the chain (which it built against the machine's
    /// roots), and the chain is built again against the CA alone, asking for the usage TLS asked for.
    /// </summary>
    public static bool Accepts(X509Certificate2 certificate, X509Chain? platformChain, SslPolicyErrors errors, X509Certificate2Collection authority)
    {
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        return ChainsTo(certificate, authority, platformChain?.ChainPolicy.ApplicationPolicy, out _);
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authority"/> with no error
    /// (validity, signature, basic constraints, and the usages asked for); <paramref name="why"/> says what failed.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authority, System.Security.Cryptography.OidCollection? usages, out string why)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (usages is not null)
            foreach (var usage in usages)
                chain.ChainPolicy.ApplicationPolicy.Add(usage);
        var ok = chain.Build(certificate);
        why = ok ? "" : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("chain does not build"));
        return ok;
    }

    private static string TargetHost(EndPoint? remote) => remote switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        DnsEndPoint dns => dns.Host,
        _ => "localhost",
    };
}
