using ActorRollup.Silo.Tls;

namespace ActorRollup.Harness.Supervisor;

/// <summary>
/// The certificates of <c>cluster up --tls</c>, in <c>tls/</c> of the state folder: <c>ca.pem</c> (a CA made for this
/// folder; its private key is never written, so nothing can issue more certificates from it), <c>silo.pem</c> +
/// <c>silo.key</c> (every silo: serverAuth + clientAuth, naming localhost, 127.0.0.1 and ::1) and <c>client.pem</c> +
/// <c>client.key</c> (the harness: clientAuth only). The folder is 0700 and the keys 0600. A later <c>up</c> on the
/// same folder reuses the files while they load, chain to the CA and stay valid for another day, so clients given
/// them keep working across a restart; otherwise (or when one is missing) a new CA and certificates replace them.
/// </summary>
public static class LocalClusterTls
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan MinimumRemaining = TimeSpan.FromDays(1);

    /// <summary>The CA and certificates in the state folder (reused while valid); the silo certificate also names
    /// <paramref name="addresses"/> (the silos' own addresses with <c>--distinct-hosts</c>).</summary>
    public static TlsRecord Prepare(ClusterStateFolder folder, TextWriter progress, System.Net.IPAddress[]? addresses = null)
    {
        addresses ??= [];
        var dir = folder.TlsFolder;
        var record = new TlsRecord
        {
            Source = "cluster up --tls",
            Ca = Path.Combine(dir, "ca.pem"),
            SiloCertificate = Path.Combine(dir, "silo.pem"),
            SiloKey = Path.Combine(dir, "silo.key"),
            ClientCertificate = Path.Combine(dir, "client.pem"),
            ClientKey = Path.Combine(dir, "client.key"),
        };
        if (Usable(record, addresses))
        {
            progress.WriteLine($"tls       reusing the CA and certificates in {dir}");
            return record;
        }
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var ca = CertificateAuthority.Create($"ActorRollup local cluster CA {Guid.NewGuid():N}", Lifetime);
        using var silo = ca.IssueSilo("actorrollup-silo", Lifetime, addresses);
        using var client = ca.IssueClient("actorrollup-harness", Lifetime);
        CertificateAuthority.WritePrivateKey(silo, record.SiloKey);
        CertificateAuthority.WriteCertificate(silo, record.SiloCertificate);
        CertificateAuthority.WritePrivateKey(client, record.ClientKey);
        CertificateAuthority.WriteCertificate(client, record.ClientCertificate);
        CertificateAuthority.WriteCertificate(ca.Certificate, record.Ca);
        progress.WriteLine($"tls       new CA and certificates in {dir} (keys readable by their owner only)");
        return record;
    }

    /// <summary>The command-line settings that make a silo use the record's files (they override any Cluster:Tls of the configuration).</summary>
    public static IEnumerable<string> SiloArguments(TlsRecord tls) =>
    [
        "--Cluster:Tls:Enabled", "true", "--Cluster:Tls:Certificate", tls.SiloCertificate, "--Cluster:Tls:Key", tls.SiloKey,
        "--Cluster:Tls:Password", "", "--Cluster:Tls:Ca", tls.Ca,
    ];

    /// <summary>The harness's client settings from the record (null when it holds no client certificate).</summary>
    public static TlsSettings? ClientSettings(TlsRecord tls) =>
        tls.ClientCertificate is null || tls.ClientKey is null
            ? null
            : new TlsSettings { Enabled = true, Certificate = tls.ClientCertificate, Key = tls.ClientKey, Ca = tls.Ca };

    private static bool Usable(TlsRecord record, System.Net.IPAddress[] addresses)
    {
        if (addresses.Length > 0)
        {
            if (!File.Exists(record.SiloCertificate)) return false;
            using var silo = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(record.SiloCertificate));
            var named = silo.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>()
                .SelectMany(e => e.EnumerateIPAddresses()).ToHashSet();
            if (!addresses.All(named.Contains)) return false;
        }
        foreach (var (certificate, key) in new[] { (record.SiloCertificate, record.SiloKey), (record.ClientCertificate!, record.ClientKey!) })
        {
            var settings = new TlsSettings { Enabled = true, Certificate = certificate, Key = key, Ca = record.Ca };
            if (settings.Validate().Count > 0) return false;
            using var material = ClusterTls.Load(settings);
            if (material.Certificate.NotAfter - DateTime.Now < MinimumRemaining) return false;
        }
        return true;
    }
}
