package dev.flotilla.transport.security;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * A gRPC server on 127.0.0.1 with one unary method that echoes its bytes, behind a given TLS context, to check
 * handshakes end to end. Records the TLS session of the last call on each side.
 */
final class TlsEcho implements AutoCloseable {
  private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("flotilla.test.Echo/Echo")
      .setRequestMarshaller(new Bytes())
      .setResponseMarshaller(new Bytes())
      .build();

  private final Server server;
  final AtomicReference<SSLSession> serverSession = new AtomicReference<>();
  final AtomicReference<SSLSession> clientSession = new AtomicReference<>();

  TlsEcho(SslContext serverContext) {
    ServerServiceDefinition echo = ServerServiceDefinition.builder("flotilla.test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(request);
          reply.onCompleted();
        }))
        .build();
    ServerInterceptor recordSession = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        serverSession.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        return next.startCall(call, headers);
      }
    };
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).sslContext(serverContext)
          .addService(ServerInterceptors.intercept(echo, recordSession)).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Calls the echo method over a channel with {@code clientContext} to {@code host} (127.0.0.1 or localhost). */
  byte[] call(SslContext clientContext, String host, byte[] request) {
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, server.getPort()).sslContext(clientContext).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          request);
    } finally {
      channel.shutdownNow();
    }
  }

  /** Like {@link #call}, recording the client's TLS session once the server's headers arrive. */
  byte[] callRecordingSession(SslContext clientContext, byte[] request) {
    ClientInterceptor record = new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
          io.grpc.Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            ClientCall<Q, R> call = this;
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                clientSession.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                super.onHeaders(h);
              }
            }, headers);
          }
        };
      }
    };
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).sslContext(clientContext)
        .intercept(record).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          request);
    } finally {
      channel.shutdownNow();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
