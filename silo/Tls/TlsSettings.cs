using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorRollup.Silo.Tls;

/// <summary>
/// Mutual TLS between silos and between clients and gateways (section <c>Cluster:Tls</c>). Off by default: the
/// zero-setup cluster speaks plain TCP on loopback. On, every connection is TLS, both ends present a certificate, and
/// each end accepts the other only if its certificate chains to <see cref="Ca"/> (nothing else is trusted, not even
/// the machine's own roots). The same settings serve a silo (its certificate needs serverAuth and clientAuth: it
/// accepts connections and opens them to other silos) and a client (clientAuth).
/// </summary>
public sealed record TlsSettings
{
    public bool Enabled { get; set; }
    /// <summary>This node's certificate: a PEM file (its key in <see cref="Key"/>) or a PKCS#12 file (.pfx/.p12, key inside).</summary>
    public string Certificate { get; set; } = "";
    /// <summary>The PEM private key of <see cref="Certificate"/> (PKCS#8, EC or RSA); empty for a PKCS#12 certificate.</summary>
    public string Key { get; set; } = "";
    /// <summary>Password of a PKCS#12 certificate (empty: none).</summary>
    public string Password { get; set; } = "";
    /// <summary>PEM file of the certificate authority (one or more certificates) a peer's certificate must chain to.</summary>
    public string Ca { get; set; } = "";

    /// <summary>The record's text never shows the password.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Enabled = {Enabled}, Certificate = {Certificate}, Key = {Key}, Ca = {Ca}");
        return true;
    }

    /// <summary>How the settings are named where they came from (configuration keys, or the harness's --tls-* options).</summary>
    public sealed record Names(string Certificate, string Key, string Password, string Ca)
    {
        public static readonly Names Configuration = new("Cluster:Tls:Certificate", "Cluster:Tls:Key", "Cluster:Tls:Password", "Cluster:Tls:Ca");
    }

    public static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem, each naming its setting; when enabled the files are read, so a bad file is refused at start-up, not at the first connection.</summary>
    public IReadOnlyList<string> Validate(Names? names = null)
    {
        names ??= Names.Configuration;
        var errors = new List<string>();
        if (!Enabled) return errors;
        if (string.IsNullOrWhiteSpace(Certificate)) errors.Add($"{names.Certificate} is required when TLS is enabled");
        else if (!File.Exists(Certificate)) errors.Add($"{names.Certificate} '{Certificate}' does not exist");
        if (!string.IsNullOrWhiteSpace(Certificate) && !IsPkcs12(Certificate))
        {
            if (string.IsNullOrWhiteSpace(Key)) errors.Add($"{names.Key} is required with a PEM certificate (or give a .pfx/.p12 certificate)");
            else if (!File.Exists(Key)) errors.Add($"{names.Key} '{Key}' does not exist");
        }
        if (string.IsNullOrWhiteSpace(Ca)) errors.Add($"{names.Ca} is required when TLS is enabled");
        else if (!File.Exists(Ca)) errors.Add($"{names.Ca} '{Ca}' does not exist");
        if (errors.Count > 0) return errors;
        try
        {
            using var material = ClusterTls.Load(this, names);
        }
        catch (TlsMaterialException e)
        {
            errors.Add(e.Message);
        }
        return errors;
    }
}

/// <summary>A certificate, key or CA file cannot be used; the message names the setting and says why.</summary>
public sealed class TlsMaterialException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a TLS node holds: its certificate with private key and the authority it trusts.</summary>
public sealed class TlsMaterial(X509Certificate2 certificate, X509Certificate2Collection authority) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;
    public X509Certificate2Collection Authority { get; } = authority;

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var ca in Authority) ca.Dispose();
    }

    internal static X509Certificate2 LoadCertificate(TlsSettings settings, TlsSettings.Names names)
    {
        X509Certificate2 loaded;
        try
        {
            if (TlsSettings.IsPkcs12(settings.Certificate))
            {
                loaded = X509CertificateLoader.LoadPkcs12FromFile(settings.Certificate, string.IsNullOrEmpty(settings.Password) ? null : settings.Password);
            }
            else
            {
                // A PEM pair is re-imported through PKCS#12 so the key is a persisted one, which every platform's TLS accepts.
                using var pem = X509Certificate2.CreateFromPemFile(settings.Certificate, settings.Key);
                loaded = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TlsMaterialException($"{names.Certificate} '{settings.Certificate}'" + (TlsSettings.IsPkcs12(settings.Certificate) ? "" : $" with {names.Key} '{settings.Key}'") +
                                           $" cannot be loaded: {e.Message.Trim()}", e);
        }
        if (!loaded.HasPrivateKey)
        {
            loaded.Dispose();
            throw new TlsMaterialException($"{names.Certificate} '{settings.Certificate}' has no private key");
        }
        var now = DateTime.Now;
        if (now < loaded.NotBefore || now > loaded.NotAfter)
        {
            var window = $"{loaded.NotBefore:u} to {loaded.NotAfter:u}";
            loaded.Dispose();
            throw new TlsMaterialException($"{names.Certificate} '{settings.Certificate}' is not valid now (valid {window})");
        }
        return loaded;
    }

    internal static X509Certificate2Collection LoadAuthority(string path, TlsSettings.Names names)
    {
        var authority = new X509Certificate2Collection();
        try
        {
            authority.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TlsMaterialException($"{names.Ca} '{path}' cannot be read as PEM certificates: {e.Message.Trim()}", e);
        }
        if (authority.Count == 0) throw new TlsMaterialException($"{names.Ca} '{path}' holds no certificate");
        return authority;
    }
}
