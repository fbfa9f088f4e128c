package dev.flotilla.server;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.transport.ConnectionClosedException;
import dev.flotilla.transport.FrameSender;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.ProtocolException;
import dev.flotilla.transport.WireValues;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.Hello;
import dev.flotilla.transport.proto.Welcome;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Reply;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream, seen from the server: reads its frames, matches replies to requests and sends requests.
 *
 * <p>Reading uses manual flow control: one frame is requested at a time, and a message with arrays is read only
 * once it holds an {@link UploadSlots} slot. Without a slot the connection stops requesting, gRPC stops reading the
 * socket, and HTTP/2 flow control pauses the client; no thread blocks. Frames are handled on the server's callback
 * executor (serially per call, as gRPC guarantees), or on it after a slot was granted; sends run on a
 * {@link SerialExecutor} per connection, where blocking for flow control is allowed.
 */
final class ClientConnection implements StreamObserver<Frame>, ClientProxy {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  private final ServerCallStreamObserver<Frame> call;
  private final ClientRegistry registry;
  private final UploadSlots slots;
  private final Executor callbacks;
  private final SerialExecutor outbound;
  private final FrameSender sender;
  private final MessageAssembler assembler = new MessageAssembler(); // guarded by this
  private final PendingRequests pending = new PendingRequests();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ClientInfo info;
  private UploadSlots.Lease lease; // guarded by this: the slot of the message being assembled
  private Consumer<UploadSlots.Lease> waiter; // guarded by this: queued for a slot

  /** Must be constructed inside the service method, where gRPC allows installing handlers. */
  ClientConnection(ServerCallStreamObserver<Frame> call, ClientRegistry registry, UploadSlots slots,
      MessageEncoder encoder, Executor callbacks, Executor sendPool) {
    this.call = call;
    this.registry = registry;
    this.slots = slots;
    this.callbacks = callbacks;
    this.outbound = new SerialExecutor(sendPool);
    this.sender = new FrameSender(call, encoder);
    call.setOnCancelHandler(() -> close("the connection was cancelled", null));
    call.disableAutoRequest();
    call.request(1);
  }

  @Override
  public ClientInfo info() {
    ClientInfo i = info;
    if (i == null) {
      throw new IllegalStateException("the client has not said hello yet");
    }
    return i;
  }

  @Override
  public boolean isConnected() {
    return !closed.get();
  }

  @Override
  public void onNext(Frame frame) {
    if (closed.get()) {
      return;
    }
    try {
      if (info == null) {
        hello(frame);
        return;
      }
      synchronized (this) {
        if (frame.hasStart() && frame.getStart().getArraysCount() > 0) {
          Consumer<UploadSlots.Lease> w = granted -> resumeLater(frame, granted);
          UploadSlots.Lease l = slots.acquire(w);
          if (l == null) {
            waiter = w; // no request(1) until a slot is granted: gRPC flow control pauses the client
            return;
          }
          lease = l;
        }
      }
      receive(frame);
    } catch (RuntimeException e) {
      abort(frame, e);
    }
  }

  @Override
  public void onError(Throwable t) {
    close("connection lost: " + Status.fromThrowable(t), t);
  }

  @Override
  public void onCompleted() {
    sender.complete();
    close("the client hung up", null);
  }

  @Override
  public CompletableFuture<Reply> request(Message request) {
    long id = pending.nextId();
    CompletableFuture<Reply> reply = pending.open(id);
    if (closed.get()) { // close() may have failed the open requests just before this one was added
      pending.fail(id, disconnected("client '" + id() + "' is disconnected", null));
      return reply;
    }
    sendAsync(withId(request, id)).whenComplete((sent, error) -> {
      if (error != null) {
        pending.fail(id, disconnected(String.valueOf(error.getMessage()), error));
      }
    });
    return reply;
  }

  @Override
  public CompletableFuture<Void> send(Message message) {
    return sendAsync(withId(message, pending.nextId()));
  }

  /** Called by the registry when a newer connection with the same id took this one's place. */
  void replace() {
    sender.fail(Status.ALREADY_EXISTS.withDescription("replaced by a newer connection with client id '" + id() + "'"));
    close("replaced by a newer connection", null);
  }

  private void hello(Frame frame) {
    if (!frame.hasHello()) {
      throw new ProtocolException("the first frame must be a hello, got " + frame.getKindCase());
    }
    Hello h = frame.getHello();
    if (h.getProtocolVersion() != Protocol.VERSION) {
      String why = Protocol.versionMismatch(h.getProtocolVersion());
      log.warn("refused client '{}': {}", h.getClientId(), why);
      sender.fail(Status.FAILED_PRECONDITION.withDescription(why));
      close(why, null);
      return;
    }
    if (h.getClientId().isEmpty()) {
      throw new ProtocolException("the hello has an empty client id");
    }
    info = new ClientInfo(h.getClientId(), WireValues.toConfig(h.getPropertiesList()));
    Frame welcome = Frame.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(Protocol.VERSION)).build();
    runOutbound(() -> {
      try {
        sender.sendControl(welcome);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    boolean finished = registry.register(this);
    log.info("client '{}' connected ({} connected)", id(), registry.size());
    if (finished) {
      send(Message.of(MessageTypes.FINISH));
    }
    call.request(1);
  }

  private void resumeLater(Frame frame, UploadSlots.Lease granted) {
    try {
      callbacks.execute(() -> resume(frame, granted));
    } catch (RejectedExecutionException e) {
      granted.release();
    }
  }

  private void resume(Frame frame, UploadSlots.Lease granted) {
    synchronized (this) {
      waiter = null;
      if (closed.get()) {
        granted.release();
        return;
      }
      lease = granted;
    }
    try {
      receive(frame);
    } catch (RuntimeException e) {
      abort(frame, e);
    }
  }

  private void receive(Frame frame) {
    Optional<Message> done;
    Reply reply = null;
    synchronized (this) {
      if (frame.hasChunk()) {
        registry.addBytesReceived(frame.getChunk().getData().size());
      }
      done = assembler.accept(frame);
      if (done.isPresent()) {
        UploadSlots.Lease held = lease;
        lease = null;
        reply = new Reply(done.get(), held == null ? () -> { } : held::release);
      }
    }
    if (reply != null) {
      deliver(done.get(), reply);
    }
    call.request(1);
  }

  private void deliver(Message message, Reply reply) {
    if (!pending.complete(message.metadata().replyTo(), reply)) {
      log.warn("client '{}' sent a '{}' message that answers no open request; dropped", id(), message.type());
      reply.close();
    }
  }

  /** Closes the connection after {@code frame} could not be handled; a bad frame is the client's fault. */
  private void abort(Frame frame, RuntimeException cause) {
    ProtocolException e = cause instanceof ProtocolException p
        ? p : new ProtocolException("a frame could not be handled: " + cause, cause);
    log.warn("client '{}' broke the protocol, closing its connection: {}", info == null ? "?" : id(),
        e.getMessage());
    long replyTo;
    synchronized (this) {
      replyTo = frame.hasStart() ? frame.getStart().getReplyTo() : assembler.replyToInProgress();
    }
    if (info != null) {
      registry.unregister(this); // before the failure is seen, so no one finds the client registered after it
    }
    pending.fail(replyTo, new ClientFailureException(ClientFailure.Kind.REJECTED, e.getMessage(), e));
    sender.fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
    close("protocol error: " + e.getMessage(), e);
  }

  private void close(String reason, Throwable cause) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    UploadSlots.Lease held;
    Consumer<UploadSlots.Lease> queued;
    synchronized (this) {
      held = lease;
      lease = null;
      queued = waiter;
      waiter = null;
    }
    if (queued != null) {
      slots.cancel(queued); // if it was just granted, resume() sees closed and releases the slot
    }
    if (held != null) {
      held.release();
    }
    sender.markClosed(reason);
    if (info == null) {
      return;
    }
    registry.unregister(this);
    pending.failAll(disconnected("client '" + id() + "' disconnected: " + reason, cause));
    log.info("client '{}' disconnected: {}", id(), reason);
  }

  private static ClientFailureException disconnected(String reason, Throwable cause) {
    return new ClientFailureException(ClientFailure.Kind.DISCONNECTED, reason, cause);
  }

  private static Message withId(Message m, long id) {
    return m.withMetadata(m.metadata().withIds(id, 0));
  }

  private CompletableFuture<Void> sendAsync(Message message) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    boolean queued = runOutbound(() -> {
      try {
        registry.addBytesSent(sender.send(message));
        sent.complete(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sent.completeExceptionally(new ConnectionClosedException("sending to client '" + id() + "' was interrupted"));
      } catch (ConnectionClosedException e) {
        sent.completeExceptionally(e);
      } catch (RuntimeException e) {
        log.error("sending '{}' to client '{}' failed", message.type(), id(), e);
        close("sending failed: " + e, e);
        sent.completeExceptionally(e);
      }
    });
    if (!queued) {
      sent.completeExceptionally(new ConnectionClosedException("the server is shutting down"));
    }
    return sent;
  }

  /** Queues {@code task} behind this connection's earlier sends; false (and closes) if the server is shut down. */
  private boolean runOutbound(Runnable task) {
    try {
      outbound.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      close("the server is shutting down", e);
      return false;
    }
  }
}
