package dev.flotilla.core.privacy;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.tensor.ModelWeights;

/**
 * The client side of central differential privacy with client-side clipping ({@link DpSettings#clientSideClipping()}):
 * on a {@code train} request whose config holds {@value PrivacyMetrics#CONFIG_CLIP}, clips the trained model's update
 * (against the model the request carried) to that L2 norm before it leaves, and adds the metric
 * {@value PrivacyMetrics#UNCLIPPED} (1 if the update already fitted, else 0) for adaptive clipping. The server checks
 * the norm and adds the noise. Other messages, error replies and requests without the key pass untouched, so every
 * client can run this mod.
 *
 * <p>A clip that is not a positive number is answered with {@link MessageError.Code#BAD_REQUEST} without training.
 * Holds nothing; one instance may serve any number of clients.
 */
public final class DpClipMod implements ClientMod {
  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    if (!message.type().equals(MessageTypes.TRAIN) || !message.config().has(PrivacyMetrics.CONFIG_CLIP)) {
      return next.handle(message, context);
    }
    double clip;
    try {
      clip = message.config().getDouble(PrivacyMetrics.CONFIG_CLIP, Double.NaN);
    } catch (IllegalArgumentException e) {
      return Message.error(MessageError.Code.BAD_REQUEST, e.getMessage());
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      return Message.error(MessageError.Code.BAD_REQUEST, "the clipping norm " + PrivacyMetrics.CONFIG_CLIP + " = "
          + clip + " is not a positive number");
    }
    Message reply = next.handle(message, context);
    if (reply == null || !reply.type().equals(MessageTypes.TRAIN_RESULT)) {
      return reply;
    }
    ModelWeights global = message.arrays();
    ModelWeights trained = reply.arrays();
    double norm = UpdateClipping.norm(trained, global);
    return reply.withArrays(UpdateClipping.clip(trained, global, clip))
        .withMetrics(reply.metrics().with(PrivacyMetrics.UNCLIPPED, norm <= clip ? 1 : 0));
  }
}
