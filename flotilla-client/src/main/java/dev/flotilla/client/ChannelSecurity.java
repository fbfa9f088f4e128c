package dev.flotilla.client;

import dev.flotilla.transport.security.ChannelBinding;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/** How a client protects its connection (TLS or plaintext) and proves its key when the server asks. */
final class ChannelSecurity {
  private ChannelSecurity() {}

  /** {@code builder} with the TLS of {@code settings}, or plaintext when it has none. */
  static NettyChannelBuilder configure(NettyChannelBuilder builder, ClientSettings settings) {
    return settings.tls() == null ? builder.usePlaintext() : builder.sslContext(settings.tls().sslContext());
  }

  /**
   * Answers the server's challenge {@code nonce} on {@code session}, whose TLS session {@code tls} captured; returns
   * the status to end the connection with if this client cannot (it has no key), else null.
   */
  static Status prove(ClientSettings settings, Session session, TlsSessionCapture tls, byte[] nonce)
      throws InterruptedException {
    if (settings.key() == null) {
      return Status.UNAUTHENTICATED.withDescription("the server requires clients to prove their keys, and client '"
          + settings.clientId() + "' has none (make one with 'flotilla keys generate' and give it --key-dir)");
    }
    session.prove(settings.key().sign(nonce, ChannelBinding.forClient(tls.session())));
    return null;
  }
}
