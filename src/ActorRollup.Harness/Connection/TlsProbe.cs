using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ActorRollup.Silo.Tls;

namespace ActorRollup.Harness.Connection;

/// <summary>
/// Why a gateway will not take this client, found with one TLS handshake of our own. An Orleans client whose
/// connection a gateway drops keeps retrying and never says why; the harness asks this when its client is slow to
/// start, and fails at once with the reason when the probe finds one. The handshake is TLS 1.2 (no post-handshake
/// session tickets to read past).
/// </summary>
public static class TlsProbe
{
    public enum Outcome
    {
        /// <summary>The handshake completed: TLS is not what keeps the client out.</summary>
        Accepted,
        /// <summary>The gateway speaks TLS and refused this client (no certificate, or one it does not trust).</summary>
        Refused,
        /// <summary>The gateway's own certificate is not of this client's CA (or does not name the address dialled).</summary>
        GatewayUntrusted,
        /// <summary>The gateway did not answer a TLS handshake (a plain-TCP cluster, or not a gateway).</summary>
        NotTls,
        /// <summary>No connection at all.</summary>
        Unreachable,
    }

    public sealed record Result(Outcome Outcome, string Detail);

    /// <summary>How long a completed handshake must stay open to count as accepted (a refusal closes it within milliseconds).</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    /// <summary>One handshake with <paramref name="gateway"/> presenting <paramref name="material"/>'s certificate (none when null:
    /// then any gateway certificate is accepted, the question being only whether the gateway speaks TLS and lets such a client in).</summary>
    public static async Task<Result> ProbeAsync(IPEndPoint gateway, TlsMaterial? material, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var tcp = new TcpClient(gateway.AddressFamily);
        try
        {
            await tcp.ConnectAsync(gateway, deadline.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Result(Outcome.Unreachable, $"no TCP connection to {gateway}");
        }
        var sawCertificate = false;
        string? untrusted = null;
        // What the gateway sent first tells whether it speaks TLS at all (a refusing gateway just closes the connection).
        var wire = new FirstByteStream(tcp.GetStream());
        await using var ssl = new SslStream(wire, leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
        {
            sawCertificate = certificate is not null;
            if (material is null) return true;
            using var presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (presented is not null && ClusterTls.Accepts(presented, chain, errors, material.Authority)) return true;
            untrusted = presented is null ? "it presented no certificate" : Untrusted(presented, errors, material);
            return false;
        });
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = gateway.Address.ToString(),
            EnabledSslProtocols = SslProtocols.Tls12,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = material is null ? null : new X509CertificateCollection { material.Certificate },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return sawCertificate || wire.SpokeTls
                ? new Result(Outcome.Refused, $"the gateway at {gateway} did not finish the TLS handshake within {timeout.TotalSeconds:0.#} s")
                : new Result(Outcome.NotTls, $"the gateway at {gateway} did not answer a TLS handshake within {timeout.TotalSeconds:0.#} s (a plain-TCP cluster?)");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return Failed(e);
        }
        // .NET judges the peer's certificate after the TLS handshake itself, so a gateway that refuses this client
        // completes the handshake and then closes the connection; one that accepts it waits for the Orleans preamble.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(SettleTime);
        try
        {
            return await ssl.ReadAsync(new byte[1], quiet.Token) == 0 ? Refusal() : new Result(Outcome.Accepted, "");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Result(Outcome.Accepted, "");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return Failed(e);
        }

        Result Refusal() => new(Outcome.Refused, material is null
            ? $"the gateway at {gateway} requires a client certificate of its CA (mutual TLS)"
            : $"the gateway at {gateway} refused the certificate {material.Certificate.Subject} (not issued by the CA it trusts?)");

        Result Failed(Exception e)
        {
            if (untrusted is not null) return new Result(Outcome.GatewayUntrusted, $"the gateway at {gateway} is not trusted: {untrusted}");
            if (!sawCertificate && !wire.SpokeTls) return new Result(Outcome.NotTls, $"the gateway at {gateway} does not speak TLS (a plain-TCP cluster?)");
            return Refusal();
        }
    }

    /// <summary>A stream that notes whether the first byte received opens a TLS handshake record (content type 22).</summary>
    private sealed class FirstByteStream(Stream inner) : Stream
    {
        private const byte HandshakeRecord = 0x16;
        private bool _seen;

        public bool SpokeTls { get; private set; }

        private int Note(int read, byte first)
        {
            if (read > 0 && !_seen)
            {
                _seen = true;
                SpokeTls = first == HandshakeRecord;
            }
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Note(read, read > 0 ? buffer.Span[0] : (byte)0);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            return Note(read, read > 0 ? buffer[offset] : (byte)0);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static string Untrusted(X509Certificate2 presented, SslPolicyErrors errors, TlsMaterial material)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return $"its certificate {presented.Subject} does not name the address dialled";
        ClusterTls.ChainsTo(presented, material.Authority, null, out var why);
        return $"its certificate {presented.Subject} is not issued by this client's CA ({why})";
    }
}
