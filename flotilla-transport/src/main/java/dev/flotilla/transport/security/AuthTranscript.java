package dev.flotilla.transport.security;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a client signs to prove its key on one connection, version 1:
 * <pre>
 *   "flotilla-auth-v1" 0x00
 *   u32 length || challenge        (the server's 32 random bytes for this connection)
 *   u32 length || client id        (UTF-8)
 *   u32 length || channel binding  (see {@link ChannelBinding}; empty without TLS)
 * </pre>
 * lengths big-endian. The label keeps a Flotilla signature from meaning anything elsewhere; the length prefixes keep
 * two different (challenge, id, binding) triples from making the same bytes.
 */
final class AuthTranscript {
  private static final byte[] LABEL = "flotilla-auth-v1\0".getBytes(StandardCharsets.US_ASCII);

  private AuthTranscript() {}

  static byte[] bytes(byte[] challenge, String clientId, byte[] channelBinding) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LABEL);
    field(out, challenge);
    field(out, clientId.getBytes(StandardCharsets.UTF_8));
    field(out, channelBinding);
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
    out.writeBytes(value);
  }
}
