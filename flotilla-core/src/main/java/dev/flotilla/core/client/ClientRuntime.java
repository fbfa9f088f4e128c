package dev.flotilla.core.client;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one client: hands each request to its {@link ClientApp} behind its {@link ClientMod}s, with its
 * {@link Context}, and turns the outcome into the reply. A request whose deadline has passed is answered with a
 * {@link MessageError.Code#DEADLINE_EXCEEDED} error without running; an app or mod that stops with a
 * {@link CancellationException} (because the request was cancelled while it ran, see {@code FlotillaClient}) is
 * answered with {@link MessageError.Code#CANCELLED}; one that throws anything else or returns null with an
 * {@link MessageError.Code#APP_ERROR}. Never throws for a failure of the app. The reply's metadata
 * names the request it answers, with the request's group and model version.
 *
 * <p>A deployed client ({@code FlotillaClient}) and a simulated one answer every request through this class, so a
 * {@code ClientApp} sees exactly the same calls in both. Not thread-safe, like the app it calls.
 */
public final class ClientRuntime {
  private static final Logger log = LoggerFactory.getLogger(ClientRuntime.class);
  private final ClientApp app;
  private final Context context;
  private final LongSupplier clock;

  /** A runtime for {@code app} behind {@code mods} (the first outermost), serving the client of {@code context}. */
  public ClientRuntime(ClientApp app, List<ClientMod> mods, Context context) {
    this(app, mods, context, System::currentTimeMillis);
  }

  /** As above, with {@code clockMillis} telling the time for deadlines. */
  public ClientRuntime(ClientApp app, List<ClientMod> mods, Context context, LongSupplier clockMillis) {
    this.app = ClientMod.wrap(Objects.requireNonNull(app, "app"), List.copyOf(mods));
    this.context = Objects.requireNonNull(context, "context");
    this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
  }

  /** The context this runtime serves. */
  public Context context() {
    return context;
  }

  /** The reply to {@code request}: never null, never thrown. */
  public Message handle(Message request) {
    Message reply;
    if (request.metadata().expiredAt(clock.getAsLong())) {
      reply = Message.error(MessageError.Code.DEADLINE_EXCEEDED, "the '" + request.type()
          + "' request's deadline passed before it was started");
      log.info("client '{}': dropped a '{}' request past its deadline", context.clientId(), request.type());
    } else {
      try {
        reply = app.handle(request, context);
        if (reply == null) {
          reply = Message.error(MessageError.Code.APP_ERROR, "the app returned no reply to '" + request.type() + "'");
        }
      } catch (CancellationException e) {
        reply = Message.error(MessageError.Code.CANCELLED, "the '" + request.type() + "' request was cancelled: "
            + e.getMessage());
      } catch (RuntimeException e) {
        log.warn("client '{}': the '{}' request failed", context.clientId(), request.type(), e);
        reply = Message.error(MessageError.Code.APP_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    if (reply.isError()) {
      log.warn("client '{}': cannot answer the '{}' request: {}", context.clientId(), request.type(), reply.error());
    }
    return reply.withMetadata(request.metadata().forReply());
  }
}
