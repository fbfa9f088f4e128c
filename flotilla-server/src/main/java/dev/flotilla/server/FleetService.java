package dev.flotilla.server;

import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.proto.Frame;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * The gRPC service: every {@code Connect} call becomes a {@link ClientConnection}. Served with
 * {@link Protocol#CONNECT}, whose marshaller parses frames with one copy of their bytes.
 */
final class FleetService implements BindableService {
  private final ClientRegistry registry;
  private final UploadSlots slots;
  private final MessageEncoder encoder;
  private final Executor callbacks;
  private final Executor sendPool;
  private final ConnectionGuards guards;
  private final boolean lendUploads;

  FleetService(ClientRegistry registry, UploadSlots slots, MessageEncoder encoder, Executor callbacks,
      Executor sendPool, ConnectionGuards guards, boolean lendUploads) {
    this.guards = guards;
    this.lendUploads = lendUploads;
    this.registry = registry;
    this.slots = slots;
    this.encoder = encoder;
    this.callbacks = callbacks;
    this.sendPool = sendPool;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(Protocol.CONNECT.getServiceName())
        .addMethod(Protocol.CONNECT, ServerCalls.asyncBidiStreamingCall(this::connect))
        .build();
  }

  private StreamObserver<Frame> connect(StreamObserver<Frame> responses) {
    return new ClientConnection((ServerCallStreamObserver<Frame>) responses, registry, slots, encoder, callbacks,
        sendPool, guards, lendUploads);
  }
}
