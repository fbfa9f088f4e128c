package dev.flotilla.transport;

import dev.flotilla.core.message.Message;
import dev.flotilla.transport.proto.Frame;
import dev.flotilla.transport.proto.UploadGrant;
import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends frames on one gRPC stream with flow control: before each frame the sending thread waits until the stream
 * {@linkplain CallStreamObserver#isReady() is ready}, so at most a transport window of a large message is ever
 * queued, and a slow peer slows the sender instead of filling memory.
 *
 * <p>Construct it where gRPC allows setting the on-ready handler (in {@code ClientResponseObserver.beforeStart} on a
 * client, in the service method on a server); it installs that handler itself. The owner must call
 * {@link #markClosed} when the stream ends from the other side (error, completion, cancellation), which wakes any
 * waiting sender.
 *
 * <p>Upload grants (protocol version 4): a client sends a message with arrays by {@link #sendWhenGranted}, which
 * waits after the message's start until the receiving side reports the server's grant with {@link #granted}; a
 * server grants with {@link #sendNow}, which does not wait behind a message being sent.
 *
 * <p>Chunks are drawn frames ({@link MessageEncoder}, {@link FrameMarshaller#drawnChunk}): the stream must be a
 * gRPC call whose marshaller is {@link FrameMarshaller} ({@link Protocol#CONNECT}), which writes their bytes from
 * the tensors when {@code onNext} serialises them.
 *
 * <p>Threading: thread-safe. Whole messages are serialised, so frames of two messages never interleave. Sending
 * blocks the calling thread, which therefore must never be a gRPC callback thread ({@link #sendNow} and
 * {@link #granted} excepted: they never wait).
 */
public final class FrameSender {
  private final CallStreamObserver<Frame> stream;
  private final MessageEncoder encoder;
  private final ReentrantLock messageLock = new ReentrantLock(); // held for a whole message
  private final ReentrantLock streamLock = new ReentrantLock(); // held for every call on the stream
  private final Condition ready = streamLock.newCondition(); // signalled on readiness, grants and closing
  private long awaiting; // guarded by streamLock: the message whose grant is awaited, 0 if none
  private boolean awaitedGranted; // guarded by streamLock: its grant has come
  private boolean closed; // guarded by streamLock
  private String closeReason = "the stream is closed";

  /** A sender on {@code stream} that encodes messages with {@code encoder}. */
  public FrameSender(CallStreamObserver<Frame> stream, MessageEncoder encoder) {
    this.stream = stream;
    this.encoder = encoder;
    stream.setOnReadyHandler(this::signal);
  }

  /**
   * Sends a whole message, blocking while the stream is not ready. Returns the number of array bytes sent. The
   * message's metadata carries its ids, as {@link MessageEncoder#encode} requires.
   *
   * @throws ConnectionClosedException if the stream is or becomes closed; a message cut short this way is simply
   *                                   never completed on the other side
   * @throws InterruptedException      if interrupted while waiting; the stream is then failed, since a partly sent
   *                                   message cannot be resumed
   * @throws IllegalArgumentException  if the message has no positive message id; nothing is sent and the stream
   *                                   stays open
   */
  public long send(Message message) throws InterruptedException {
    return send(message, false);
  }

  /**
   * Sends a whole message like {@link #send}, except that a message with arrays waits, after its
   * {@code MessageStart}, until its id has been {@linkplain #granted granted}, and only then sends its chunks. This is
   * how a client uploads (protocol version 4): a server that is busy with other uploads then holds only this
   * message's header, not a flow-control window of its arrays. A message without arrays, or with arrays of at most
   * {@link Protocol#UNGRANTED_ARRAY_BYTES}, is sent at once.
   *
   * @throws ConnectionClosedException if the stream is or becomes closed, also while waiting for the grant
   * @throws InterruptedException      as for {@link #send}
   */
  public long sendWhenGranted(Message message) throws InterruptedException {
    return send(message, Protocol.needsGrant(message.arrays().count(), message.arrays().byteSize()));
  }

  private long send(Message message, boolean awaitGrant) throws InterruptedException {
    try (MessageEncoder.MessageFrames frames = encoder.encodeDrawn(message)) { // closed: a failed send keeps no CRCs
      messageLock.lockInterruptibly();
      try {
        return sendLocked(frames, message, awaitGrant);
      } finally {
        messageLock.unlock();
      }
    }
  }

  private long sendLocked(Iterator<Frame> frames, Message message, boolean awaitGrant) throws InterruptedException {
    long id = message.metadata().messageId();
    try {
      if (awaitGrant) {
        expectGrant(id); // before the start goes out: the grant may come back before awaitGrant is reached
      }
      sendFrame(frames.next()); // the MessageStart
      if (awaitGrant) {
        awaitGrant();
      }
      while (frames.hasNext()) {
        sendFrame(frames.next());
      }
      return message.arrays().byteSize();
    } catch (InterruptedException | RuntimeException e) {
      if (!(e instanceof ConnectionClosedException)) {
        fail(Status.CANCELLED.withDescription("sending message " + id + " failed: " + e));
      }
      throw e;
    }
  }

  /** Sends one frame that is a message by itself ({@code Hello}, {@code Welcome}), waiting for readiness. */
  public void sendControl(Frame frame) throws InterruptedException {
    messageLock.lockInterruptibly();
    try {
      sendFrame(frame);
    } finally {
      messageLock.unlock();
    }
  }

  /**
   * Sends a small frame that is not part of a message (an {@code UploadGrant}) at once: between the frames of a
   * message being sent, and without waiting for readiness (gRPC buffers it), so that it may be called from a gRPC
   * callback thread. Returns false, sending nothing, if the stream is closed.
   */
  public boolean sendNow(Frame frame) {
    streamLock.lock();
    try {
      if (closed) {
        return false;
      }
      stream.onNext(frame);
      return true;
    } finally {
      streamLock.unlock();
    }
  }

  /** The frame by which a server grants the upload of message {@code messageId}. */
  public static Frame uploadGrant(long messageId) {
    return Frame.newBuilder().setUploadGrant(UploadGrant.newBuilder().setMessageId(messageId)).build();
  }

  /**
   * Records the peer's grant of message {@code messageId}, releasing the {@link #sendWhenGranted} of that message
   * (which may not have started waiting yet). A grant of any other message is ignored, so a peer cannot make this
   * sender hold anything for grants it never asked for. Called by the receiving side; never waits.
   */
  public void granted(long messageId) {
    streamLock.lock();
    try {
      if (messageId != 0 && messageId == awaiting) {
        awaitedGranted = true;
        ready.signalAll();
      }
    } finally {
      streamLock.unlock();
    }
  }

  private void expectGrant(long messageId) {
    streamLock.lock();
    try {
      awaiting = messageId;
      awaitedGranted = false;
    } finally {
      streamLock.unlock();
    }
  }

  private void awaitGrant() throws InterruptedException {
    streamLock.lockInterruptibly();
    try {
      while (!closed && !awaitedGranted) {
        ready.await();
      }
      awaiting = 0;
      if (closed) {
        throw new ConnectionClosedException(closeReason);
      }
    } finally {
      streamLock.unlock();
    }
  }

  private void sendFrame(Frame frame) throws InterruptedException {
    streamLock.lockInterruptibly();
    try {
      while (!closed && !stream.isReady()) {
        // The handler signals; the timeout only bounds the cost of a transition gRPC did not report.
        ready.await(1, TimeUnit.SECONDS);
      }
      if (closed) {
        throw new ConnectionClosedException(closeReason);
      }
      stream.onNext(frame); // gRPC serialises the frame here: a drawn chunk is written from the tensors
    } finally {
      streamLock.unlock();
      FrameMarshaller.INSTANCE.forget(frame); // a drawn chunk that did not reach gRPC
    }
  }

  /** Ends the stream normally, cutting short any message being sent. Does nothing if already closed. */
  public void complete() {
    close(null);
  }

  /** Ends the stream with {@code status}, cutting short any message being sent. Does nothing if already closed. */
  public void fail(Status status) {
    close(status);
  }

  /** Records that the stream has ended from the other side; senders stop with {@code reason}. */
  public void markClosed(String reason) {
    streamLock.lock();
    try {
      if (!closed) {
        closed = true;
        closeReason = reason;
      }
      ready.signalAll();
    } finally {
      streamLock.unlock();
    }
  }

  /** Whether the stream has ended. */
  public boolean isClosed() {
    streamLock.lock();
    try {
      return closed;
    } finally {
      streamLock.unlock();
    }
  }

  private void close(Status status) {
    streamLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeReason = status == null ? "the stream was completed" : "the stream failed: " + status;
      ready.signalAll();
      try {
        if (status == null) {
          stream.onCompleted();
        } else {
          stream.onError(status.asRuntimeException());
        }
      } catch (RuntimeException e) {
        // gRPC throws if the call was already cancelled: there is nothing left to close.
      }
    } finally {
      streamLock.unlock();
    }
  }

  private void signal() {
    streamLock.lock();
    try {
      ready.signalAll();
    } finally {
      streamLock.unlock();
    }
  }
}
