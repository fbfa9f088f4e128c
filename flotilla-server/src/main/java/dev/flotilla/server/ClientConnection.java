package dev.flotilla.server;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientFailureException;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.tensor.BufferLoan;
import dev.flotilla.transport.ConnectionClosedException;
import dev.flotilla.transport.FrameMarshaller;
import dev.flotilla.transport.FrameSender;
import dev.flotilla.transport.MessageAssembler;
import dev.flotilla.transport.MessageEncoder;
import dev.flotilla.transport.Protocol;
import dev.flotilla.transport.ProtocolException;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.transport.proto.Welcome;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.ReplyAllowance;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CancellationException;
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
 * once it holds an {@link UploadSlots} slot. The client is sent an {@code UploadGrant} for it then, or earlier if it
 * is among the first in line for a slot; a client waits for it before it sends the message's chunks (protocol
 * version 4). Without a slot the connection stops
 * requesting and no thread blocks; a client that sends its chunks before the grant is paused by HTTP/2 flow control,
 * with up to one window of them buffered here. Frames are handled on the server's callback
 * executor (serially per call, as gRPC guarantees), or on it after a slot was granted; sends run on a
 * {@link SerialExecutor} per connection, where blocking for flow control is allowed.
 *
 * <p>Guards ({@link ConnectionGuards}): the {@link Handshake} must complete within the handshake timeout; a message
 * is taken only as the reply to an open request, with the arrays that request allows ({@link ReplyAdmission}),
 * checked before it waits for a slot or gets any memory; an upload that stalls loses its slot. Anything thrown while
 * handling this connection's frames, {@link Error}s included, closes this connection only.
 */
final class ClientConnection implements StreamObserver<Frame>, ClientProxy, ConnectionWatchdog.Watched {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  private final ServerCallStreamObserver<Frame> call;
  private final ClientRegistry registry;
  private final UploadSlots slots;
  private final Executor callbacks;
  private final SerialExecutor outbound;
  private final FrameSender sender;
  private final PendingRequests pending = new PendingRequests();
  private final ConnectionGuards guards;
  private final ReplyAdmission admission;
  private final MessageAssembler assembler; // guarded by this
  private final Handshake handshake; // used by the callbacks until the client is admitted
  private final String peer;
  private final long openedNanos = System.nanoTime();
  private volatile long lastUploadNanos; // when the upload holding the lease last made progress
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ClientInfo info;
  private UploadSlots.Lease lease; // guarded by this: the slot of the message being assembled
  private Consumer<UploadSlots.Lease> waiter; // guarded by this: queued for a slot
  private long grantPendingFor; // guarded by this: the id of the message whose grant is yet to send, 0 if none

  /** Must be constructed inside the service method, where gRPC allows installing handlers. */
  ClientConnection(ServerCallStreamObserver<Frame> call, ClientRegistry registry, UploadSlots slots,
      MessageEncoder encoder, Executor callbacks, Executor sendPool, ConnectionGuards guards, boolean lendUploads) {
    this.call = call;
    this.guards = guards;
    this.admission = new ReplyAdmission(pending, guards.limits().maxMessageBytes());
    this.assembler = new MessageAssembler(admission, true, lendUploads ? admission::lends : header -> false);
    CallPeer callPeer = CallPeer.current();
    this.peer = callPeer.address();
    this.handshake = new Handshake(guards.authorizedKeys(), callPeer.tls());
    this.registry = registry;
    this.slots = slots;
    this.callbacks = callbacks;
    this.outbound = new SerialExecutor(sendPool);
    this.sender = new FrameSender(call, encoder);
    call.setOnCancelHandler(() -> close("the connection was cancelled", null));
    call.disableAutoRequest();
    call.request(1);
    guards.watchdog().watch(this);
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
      FrameMarshaller.INSTANCE.release(frame);
      return;
    }
    try {
      if (info == null) {
        hello(frame);
        return;
      }
      long startedReplyTo = 0; // the request whose reply begins with this frame
      boolean queued = false;
      MessageStart start = startOf(frame);
      synchronized (this) {
        if (start != null && start.getArraysCount() > 0) {
          long bytes = admission.reserve(start); // refuses before waiting for a slot
          startedReplyTo = start.getReplyTo();
          // A whole message's bytes are all here: it waits for a slot (so that at most that many replies are decoded
          // and held at once, small ones too), but never for a grant.
          grantPendingFor = frame.hasStart() && Protocol.needsGrant(start.getArraysCount(), bytes)
              ? start.getMessageId() : 0;
          Consumer<UploadSlots.Lease> w = granted -> resumeLater(frame, granted);
          UploadSlots.Lease l = slots.acquire(bytes, w, () -> grantUpload(frame));
          if (l == null) {
            waiter = w; // no request(1) until a slot is free, and no grant unless among the first in line
            queued = true;
          } else {
            lease = l;
            lastUploadNanos = System.nanoTime();
          }
        }
      }
      if (startedReplyTo != 0) {
        replyStarted(startedReplyTo); // outside the lock: it may send requests to other clients
      }
      if (queued) {
        return; // resumeLater receives the frame once a slot is granted
      }
      receive(frame);
      grantUpload(frame); // after receive(), so that the chunks find the message started
    } catch (RuntimeException | Error e) {
      abort(frame, e);
    } finally {
      FrameMarshaller.INSTANCE.release(frame); // a chunk's bytes may be the transport's buffers; they are decoded
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

  /** Tells whoever sent request {@code replyTo} that its reply has begun; a failing callback is only logged. */
  private void replyStarted(long replyTo) {
    try {
      pending.started(replyTo);
    } catch (RuntimeException e) {
      log.warn("client '{}': the start of the reply to request {} could not be handled: {}", id(), replyTo,
          e.toString());
    }
  }

  @Override
  public CompletableFuture<Reply> request(Message request) {
    return request(request, ReplyAllowance.any());
  }

  /**
   * {@inheritDoc} The reply's header is checked against {@code allowance} (and, unless it is exact, the server's
   * per-message cap) before any memory is allocated for it. Cancelling the future sends the client a
   * {@link MessageTypes#CANCEL}.
   */
  @Override
  public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance) {
    return request(request, allowance, null);
  }

  /**
   * {@inheritDoc} {@code onReplyStart} runs on the connection's callback thread when the reply's header has been
   * admitted, before the reply waits for an upload slot.
   */
  @Override
  public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance, Runnable onReplyStart) {
    long id = pending.nextId();
    CompletableFuture<Reply> reply = pending.open(id, allowance, onReplyStart);
    reply.whenComplete((r, error) -> {
      if (error instanceof CancellationException) {
        cancel(id);
      }
    });
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

  /** Tells the client to drop request {@code id}, if it is still open; its answer will be released. */
  private void cancel(long id) {
    if (closed.get() || !pending.isOpen(id)) {
      return;
    }
    Message cancel = MessageTypes.cancel(id);
    sendAsync(cancel.withMetadata(cancel.metadata().withIds(pending.nextId(), id)));
  }

  @Override
  public void checkTimeouts(long nowNanos) {
    ConnectionLimits limits = guards.limits();
    if (info == null && nowNanos - openedNanos > limits.handshakeTimeout().toNanos()) {
      String why = "the handshake did not complete within " + seconds(limits.handshakeTimeout()) + " s";
      log.warn("closing connection from {} (client '{}'): {}", peer, handshake.claimedId(), why);
      sender.fail(Status.DEADLINE_EXCEEDED.withDescription(why));
      close(why, null);
      return;
    }
    long replyTo;
    synchronized (this) {
      if (lease == null || nowNanos - lastUploadNanos <= limits.uploadStallTimeout().toNanos()) {
        return;
      }
      replyTo = assembler.replyToInProgress();
    }
    String why = "its upload stalled: no data for " + seconds(limits.uploadStallTimeout()) + " s";
    log.warn("client '{}': {}; closing its connection and releasing its upload slot", id(), why);
    registry.unregister(this);
    pending.fail(replyTo, new ClientFailureException(ClientFailure.Kind.TIMEOUT, why));
    sender.fail(Status.DEADLINE_EXCEEDED.withDescription(why));
    close(why, null);
  }

  private static double seconds(java.time.Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** Called by the registry when a newer connection with the same id took this one's place. */
  void replace() {
    sender.fail(Status.ALREADY_EXISTS.withDescription("replaced by a newer connection with client id '" + id() + "'"));
    close("replaced by a newer connection", null);
  }

  private void hello(Frame frame) {
    Handshake.Step step = handshake.accept(frame);
    if (step instanceof Handshake.Challenge c) {
      sendControlLater(c.frame());
      call.request(1);
      return;
    }
    if (step instanceof Handshake.Refused r) {
      log.warn("refused client '{}' from {}: {}", handshake.claimedId(), peer, r.reason());
      sender.fail(r.status());
      close(r.reason(), null);
      return;
    }
    Handshake.Admitted admitted = (Handshake.Admitted) step;
    info = admitted.info();
    Frame welcome = Frame.newBuilder().setWelcome(Welcome.newBuilder().setProtocolVersion(Protocol.VERSION)).build();
    // Registered on the outbound queue, just before the welcome leaves: a client that holds its welcome is in the
    // registry, and every request made once it is registered is queued behind the welcome.
    runOutbound(() -> {
      if (closed.get()) {
        return; // closed while the welcome waited in the queue
      }
      boolean finished = registry.register(this);
      if (closed.get()) {
        registry.unregister(this); // close() ran between the check and the registration
        return;
      }
      log.info("client '{}' connected from {}{} ({} connected)", id(), peer,
          admitted.authenticated() ? ", key verified" : "", registry.size());
      try {
        sender.sendControl(welcome);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ConnectionClosedException e) {
        // the client is gone; close() says why
      }
      if (finished) {
        send(Message.of(MessageTypes.FINISH));
      }
    });
    call.request(1);
  }

  /** Queues {@code frame}, a message by itself (challenge, welcome), behind this connection's earlier sends. */
  private void sendControlLater(Frame frame) {
    runOutbound(() -> {
      try {
        sender.sendControl(frame);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ConnectionClosedException e) {
        // the client is gone; close() says why
      }
    });
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
      lastUploadNanos = System.nanoTime(); // the stall clock starts with the slot
    }
    try {
      receive(frame);
      grantUpload(frame);
    } catch (RuntimeException | Error e) {
      abort(frame, e);
    } finally {
      FrameMarshaller.INSTANCE.release(frame); // a chunk's bytes may be the transport's buffers; they are decoded
    }
  }

  /**
   * Tells the client to send the chunks of the message that {@code start} begins, once: when it holds a slot, or
   * before, when it is among the first in line for one ({@link ServerSettings#uploadLookahead()}: its first window
   * then waits here, overlapping the server's other work). Does nothing for a message that needs no grant.
   */
  private void grantUpload(Frame start) {
    if (!start.hasStart()) {
      return; // a whole message is never granted
    }
    long id = start.getStart().getMessageId();
    synchronized (this) {
      if (grantPendingFor != id) {
        return; // granted already, needs no grant, or a late call for a message that has since finished
      }
      grantPendingFor = 0;
    }
    sender.sendNow(FrameSender.uploadGrant(id));
  }

  private void receive(Frame frame) {
    Optional<Message> done;
    Reply reply = null;
    synchronized (this) {
      if (frame.hasChunk()) {
        registry.addBytesReceived(frame.getChunk().getData().size());
        lastUploadNanos = System.nanoTime();
      } else if (frame.hasWhole()) {
        registry.addBytesReceived(frame.getWhole().getData().size());
      }
      done = assembler.accept(frame);
      if (done.isPresent()) {
        UploadSlots.Lease held = lease;
        lease = null;
        Runnable slot = held == null ? () -> { } : held::release;
        BufferLoan loan = assembler.takeLoan(); // lent arrays: the transport's buffers go back with the reply
        reply = new Reply(done.get(), loan == null ? slot : () -> {
          loan.giveBack();
          slot.run();
        });
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
  private void abort(Frame frame, Throwable cause) {
    ProtocolException e = cause instanceof ProtocolException p
        ? p : new ProtocolException("a frame could not be handled: " + cause, cause);
    log.warn("client '{}' from {} broke the protocol, closing its connection: {}",
        info == null ? handshake.claimedId() : id(), peer, e.getMessage());
    long replyTo;
    MessageStart start = startOf(frame);
    synchronized (this) {
      replyTo = start != null ? start.getReplyTo() : assembler.replyToInProgress();
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
    guards.watchdog().unwatch(this);
    UploadSlots.Lease held;
    Consumer<UploadSlots.Lease> queued;
    synchronized (this) {
      held = lease;
      lease = null;
      queued = waiter;
      waiter = null;
      assembler.discard(); // what a message cut short holds of the transport's buffers
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

  /** The start of the message that {@code frame} begins (a {@code MessageStart} or a whole message), or null. */
  private static MessageStart startOf(Frame frame) {
    return frame.hasStart() ? frame.getStart() : frame.hasWhole() ? frame.getWhole().getStart() : null;
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
      } catch (RuntimeException | Error e) {
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
