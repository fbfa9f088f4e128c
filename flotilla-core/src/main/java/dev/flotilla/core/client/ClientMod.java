package dev.flotilla.core.client;

import dev.flotilla.core.message.Message;
import java.util.List;

/**
 * Client middleware: sees each message on its way to the {@link ClientApp} and the reply on its way back, and may
 * change either, answer by itself or refuse (return {@link Message#error}). Local differential privacy, compression
 * and secure-aggregation masking are mods. The same mods run in simulation and deployment.
 *
 * <p>A mod keeps what it must remember between messages in {@link Context#state()}, under a key of its own.
 */
@FunctionalInterface
public interface ClientMod {
  /** The reply to {@code message}; call {@code next.handle(message, context)} to pass it on. */
  Message handle(Message message, Context context, ClientApp next);

  /**
   * {@code app} behind {@code mods}, the first mod outermost: a message passes the mods in list order on its way in
   * and in reverse order on its way out.
   */
  static ClientApp wrap(ClientApp app, List<ClientMod> mods) {
    ClientApp wrapped = app;
    for (int i = mods.size() - 1; i >= 0; i--) {
      ClientMod mod = mods.get(i);
      ClientApp inner = wrapped;
      wrapped = (message, context) -> mod.handle(message, context, inner);
    }
    return wrapped;
  }
}
