package dev.flotilla.server;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import javax.net.ssl.SSLSession;

/**
 * The transport facts of one incoming call that a service method cannot see by itself: the peer's address, for log
 * lines, and the TLS session, for binding a client's proof of its key to its connection. {@link #INTERCEPTOR} puts
 * them into the call's gRPC {@link Context}, where {@link #current()} finds them.
 *
 * @param address the peer's socket address, as text; {@code "?"} if unknown
 * @param tls     the TLS session of the call, or null without TLS
 */
record CallPeer(String address, SSLSession tls) {
  private static final Context.Key<CallPeer> KEY = Context.key("flotilla-call-peer");
  private static final CallPeer UNKNOWN = new CallPeer("?", null);

  /** Records each call's peer for {@link #current()}; add it to the service. */
  static final ServerInterceptor INTERCEPTOR = new ServerInterceptor() {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      Attributes a = call.getAttributes();
      Object address = a.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      CallPeer peer = new CallPeer(address == null ? "?" : address.toString(), a.get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      return Contexts.interceptCall(Context.current().withValue(KEY, peer), call, headers, next);
    }
  };

  /** The peer of the call being handled on this thread, or an unknown one outside a call. */
  static CallPeer current() {
    CallPeer peer = KEY.get();
    return peer == null ? UNKNOWN : peer;
  }
}
