package dev.flotilla.server;

import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.transport.HeaderPolicy;
import dev.flotilla.transport.MessageHeader;
import dev.flotilla.transport.ProtocolException;
import dev.flotilla.transport.proto.ArrayHeader;
import dev.flotilla.transport.proto.MessageStart;
import dev.flotilla.workflow.ReplyAllowance;
import java.util.Optional;

/**
 * Which messages a server takes from one client: only replies to its open requests, each with the arrays its
 * request allows ({@link ReplyAllowance}) and, unless those are exact, at most the server's per-message cap. Anything
 * else (a message nobody asked for, a second reply, an oversized or misshapen one) is refused from its header,
 * before any memory is allocated for its arrays; the connection is then closed as for any protocol violation.
 *
 * <p>Two checks, both on the header: {@link #reserve} on the raw frame, to learn how many bytes the upload needs
 * before it waits for an upload slot; {@link #check} on the validated header, as the assembler's policy.
 * Thread-safe.
 */
final class ReplyAdmission implements HeaderPolicy {
  private final PendingRequests pending;
  private final long maxMessageBytes;

  ReplyAdmission(PendingRequests pending, long maxMessageBytes) {
    this.pending = pending;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The array bytes that {@code start} declares, once they are within what its request allows; throws
   * {@link ProtocolException} if it answers no open request or declares more.
   */
  long reserve(MessageStart start) {
    ReplyAllowance allowance = allowance(start.getMessageId(), start.getReplyTo(), start.getType());
    long declared = 0;
    for (ArrayHeader h : start.getArraysList()) {
      if (h.getByteLength() < 0) {
        throw new ProtocolException("message " + start.getMessageId() + " declares a negative byte length "
            + h.getByteLength() + " for array '" + h.getName() + "'");
      }
      declared = declared > Long.MAX_VALUE - h.getByteLength() ? Long.MAX_VALUE : declared + h.getByteLength();
    }
    long limit = limit(allowance, start.getType());
    if (declared > limit) {
      throw tooLarge(start.getMessageId(), start.getType(), declared, limit, allowance);
    }
    return declared;
  }

  @Override
  public void check(MessageHeader header) {
    long id = header.metadata().messageId();
    ReplyAllowance allowance = allowance(id, header.metadata().replyTo(), header.type());
    long bytes = header.arrayBytes();
    long limit = limit(allowance, header.type());
    if (bytes > limit) {
      throw tooLarge(id, header.type(), bytes, limit, allowance);
    }
    Optional<String> problem = allowance.problem(header.type(), header.arrays());
    if (problem.isPresent()) {
      throw new ProtocolException("message " + id + " answering request " + header.metadata().replyTo()
          + " is not what the request allows: " + problem.get());
    }
  }

  /** Whether the reply that {@code header} begins may have its float32 arrays lent (its request says so). */
  boolean lends(MessageHeader header) {
    return pending.allowance(header.metadata().replyTo()).map(ReplyAllowance::lentArrays).orElse(false);
  }

  private ReplyAllowance allowance(long id, long replyTo, String type) {
    return pending.allowance(replyTo).orElseThrow(() -> new ProtocolException("message " + id + " ('"
        + printable(type) + "') answers " + (replyTo == 0 ? "no request" : "request " + replyTo
        + ", which is not open") + "; only replies to open requests are taken"));
  }

  private long limit(ReplyAllowance allowance, String type) {
    if (MessageTypes.ERROR.equals(type)) {
      return 0;
    }
    return allowance.isExact() ? allowance.maxBytes() : Math.min(allowance.maxBytes(), maxMessageBytes);
  }

  private static ProtocolException tooLarge(long id, String type, long bytes, long limit, ReplyAllowance allowance) {
    return new ProtocolException("message " + id + " ('" + printable(type) + "') declares " + bytes
        + " array bytes, more than the " + limit + " its request allows (" + allowance + ")");
  }

  private static String printable(String s) {
    String capped = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return capped.replaceAll("\\p{Cntrl}", "?");
  }
}
