package dev.flotilla.transport;

import io.grpc.KnownLength;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Like gRPC's Netty message streams: the frame's bytes in several direct buffers, which it lends through
 * {@link io.grpc.HasByteBuffer} and hands over by {@link io.grpc.Detachable#detach()}; reading past a buffer
 * frees it unless the stream is marked.
 */
final class LendingStream extends InputStream
    implements KnownLength, io.grpc.HasByteBuffer, io.grpc.Detachable {
  private final List<java.nio.ByteBuffer> buffers;
  private final boolean[] closedFlag;
  private int current;
  private int marked = -1;
  private int[] markedPositions;

  private LendingStream(List<java.nio.ByteBuffer> buffers, boolean[] closedFlag) {
    this.buffers = buffers;
    this.closedFlag = closedFlag;
  }

  static LendingStream of(byte[] bytes, int pieceBytes) {
    List<java.nio.ByteBuffer> pieces = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += pieceBytes) {
      int n = Math.min(pieceBytes, bytes.length - at);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(n);
      b.put(bytes, at, n).flip();
      pieces.add(b);
    }
    return new LendingStream(pieces, new boolean[1]);
  }

  boolean closed() {
    return closedFlag[0];
  }

  @Override
  public int available() {
    int n = 0;
    for (int i = current; i < buffers.size(); i++) {
      n += buffers.get(i).remaining();
    }
    return n;
  }

  @Override
  public int read() {
    if (closedFlag[0]) {
      throw new IllegalStateException("read after close");
    }
    while (current < buffers.size() && !buffers.get(current).hasRemaining()) {
      advance();
    }
    return current < buffers.size() ? buffers.get(current).get() & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (closedFlag[0]) {
      throw new IllegalStateException("read after close");
    }
    while (current < buffers.size() && !buffers.get(current).hasRemaining()) {
      advance();
    }
    if (current >= buffers.size()) {
      return -1;
    }
    int n = Math.min(len, buffers.get(current).remaining());
    buffers.get(current).get(b, off, n);
    return n;
  }

  @Override
  public long skip(long n) {
    long left = n;
    while (left > 0 && current < buffers.size()) {
      java.nio.ByteBuffer b = buffers.get(current);
      int k = (int) Math.min(left, b.remaining());
      b.position(b.position() + k);
      left -= k;
      if (!b.hasRemaining()) {
        advance();
      }
    }
    return n - left;
  }

  private void advance() {
    if (marked < 0) {
      buffers.set(current, java.nio.ByteBuffer.allocateDirect(0)); // freed: its bytes are gone
    }
    current++;
  }

  @Override
  public boolean markSupported() {
    return true;
  }

  @Override
  public void mark(int limit) {
    marked = current;
    markedPositions = buffers.stream().mapToInt(java.nio.Buffer::position).toArray();
  }

  @Override
  public void reset() {
    current = marked;
    for (int i = 0; i < buffers.size(); i++) {
      buffers.get(i).position(markedPositions[i]);
    }
  }

  @Override
  public boolean byteBufferSupported() {
    return true;
  }

  @Override
  public java.nio.ByteBuffer getByteBuffer() {
    while (current < buffers.size() && !buffers.get(current).hasRemaining()) {
      advance();
    }
    return current < buffers.size() ? buffers.get(current).slice() : null;
  }

  @Override
  public InputStream detach() {
    LendingStream taken = new LendingStream(new ArrayList<>(buffers.subList(current, buffers.size())), closedFlag);
    buffers.subList(current, buffers.size()).clear();
    return taken;
  }

  @Override
  public void close() {
    closedFlag[0] = true;
  }
}
