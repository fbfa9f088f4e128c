package dev.flotilla.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import javax.net.ssl.SSLSession;

/**
 * Remembers the TLS session of the call it intercepts, once the server's headers have arrived (before any of its
 * frames), so that the client can bind its proof of its key to the connection
 * ({@link dev.flotilla.transport.security.ChannelBinding#forClient}). One per call. Thread-safe.
 */
final class TlsSessionCapture implements ClientInterceptor {
  private volatile SSLSession session;

  /** The call's TLS session, or null without TLS (or before the server's headers). */
  SSLSession session() {
    return session;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    ClientCall<Q, R> call = next.newCall(method, options);
    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onHeaders(Metadata serverHeaders) {
            session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            super.onHeaders(serverHeaders);
          }
        }, headers);
      }
    };
  }
}
