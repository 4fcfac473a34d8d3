using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorRollup.Silo.Tls;

/// <summary>
/// A small certificate authority for a local cluster (and tests): ECDSA P-256 keys, a self-signed CA that may only
/// sign end-entity certificates, silo certificates for serverAuth and clientAuth naming the loopback addresses, and
/// client certificates for clientAuth only. Files are PEM; private keys are written readable by their owner only.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private CertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static CertificateAuthority Create(string name, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now + lifetime));
    }

    /// <summary>A silo's certificate: it accepts connections (serverAuth) and opens them to other silos (clientAuth);
    /// it names localhost, 127.0.0.1 and ::1 (what a local cluster's peers dial) and any <paramref name="addresses"/>.</summary>
    public X509Certificate2 IssueSilo(string name, TimeSpan lifetime, params IPAddress[] addresses)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var address in addresses) names.AddIpAddress(address);
        return Issue(name, lifetime, [ServerAuth, ClientAuth], names.Build());
    }

    /// <summary>A client's certificate (clientAuth only: it cannot serve as a silo or gateway).</summary>
    public X509Certificate2 IssueClient(string name, TimeSpan lifetime) => Issue(name, lifetime, [ClientAuth], null);

    private X509Certificate2 Issue(string name, TimeSpan lifetime, Oid[] usages, X509Extension? alternativeNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        var oids = new OidCollection();
        foreach (var usage in usages) oids.Add(usage);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (alternativeNames is not null) request.CertificateExtensions.Add(alternativeNames);
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + lifetime;
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(Certificate, now.AddMinutes(-5), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes the certificate as PEM (world-readable: it is public).</summary>
    public static void WriteCertificate(X509Certificate2 certificate, string path) => File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");

    /// <summary>Writes the certificate's private key as PKCS#8 PEM, readable and writable by its owner only (0600).</summary>
    public static void WritePrivateKey(X509Certificate2 certificate, string path)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{certificate.Subject} has no EC private key");
        // A new file, so the owner-only mode holds from its first byte (an existing file would keep its own mode).
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(key.ExportPkcs8PrivateKeyPem());
        writer.Write('\n');
    }

    public void Dispose() => Certificate.Dispose();
}
