package dev.flotilla.transport;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.flotilla.transport.proto.Chunk;
import dev.flotilla.transport.proto.Frame;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The protobuf encoding of a {@code Frame} holding a {@code Chunk}, written straight from the tensors when gRPC
 * serialises the frame: gRPC drains it into its transport buffers, the chunk's bytes passing through a small scratch
 * array on their way, so that no chunk-sized array is made for it. The bytes are exactly those of the
 * {@code Frame} with the chunk's message id and data, as protobuf would write them. Read as a plain stream (which
 * gRPC's transports do not do), the frame is written into an array first.
 */
final class DrawnChunk extends InputStream implements Drainable, KnownLength {
  private final byte[] header;
  private final ChunkSource source;
  private byte[] bytes; // the whole frame, once read as a plain stream
  private int position; // bytes of the frame already read or drained

  DrawnChunk(long messageId, ChunkSource source) {
    if (messageId <= 0 || source.length() <= 0) {
      throw new IllegalArgumentException("a chunk needs a positive message id and at least one byte, got message "
          + messageId + " and " + source.length() + " bytes");
    }
    this.source = source;
    int n = source.length();
    int chunkSize = CodedOutputStream.computeTagSize(Chunk.MESSAGE_ID_FIELD_NUMBER)
        + CodedOutputStream.computeInt64SizeNoTag(messageId)
        + CodedOutputStream.computeTagSize(Chunk.DATA_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
    int headerSize = CodedOutputStream.computeTagSize(Frame.CHUNK_FIELD_NUMBER)
        + CodedOutputStream.computeUInt32SizeNoTag(chunkSize) + chunkSize - n;
    this.header = new byte[headerSize];
    CodedOutputStream out = CodedOutputStream.newInstance(header);
    try {
      out.writeTag(Frame.CHUNK_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(chunkSize);
      out.writeInt64(Chunk.MESSAGE_ID_FIELD_NUMBER, messageId);
      out.writeTag(Chunk.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(n);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("the chunk header does not fit its computed size", e);
    }
  }

  private int size() {
    return header.length + source.length();
  }

  @Override
  public int drainTo(OutputStream target) throws IOException {
    int from = position;
    if (from == 0 && bytes == null) {
      target.write(header);
      source.writeOrFail(ChunkSource.scratch(), (t, b, at, count) -> target.write(b, at, count));
    } else if (from < size()) {
      target.write(materialized(), from, size() - from);
    }
    position = size();
    return size() - from;
  }

  @Override
  public int available() {
    return size() - position;
  }

  @Override
  public int read() {
    return position < size() ? materialized()[position++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    int n = Math.min(len, size() - position);
    if (n <= 0) {
      return -1;
    }
    System.arraycopy(materialized(), position, b, off, n);
    position += n;
    return n;
  }

  private byte[] materialized() {
    if (bytes == null) {
      bytes = new byte[size()];
      System.arraycopy(header, 0, bytes, 0, header.length);
      byte[] data = source.toBytes();
      System.arraycopy(data, 0, bytes, header.length, data.length);
    }
    return bytes;
  }
}
