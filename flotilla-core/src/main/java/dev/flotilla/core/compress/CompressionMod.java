package dev.flotilla.core.compress;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.random.Seeds;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.Optional;
import java.util.Random;

/**
 * The client side of {@link Compression}. Acts only on {@code train} and {@code evaluate} requests whose config names
 * a codec; passes every other message through untouched, so every client can run it.
 *
 * <ul>
 *   <li>On the way in, a model encoded by the server ({@value Compression#DOWNLOAD_KEY}) is decoded, so the app and
 *       the mods inside see float32 weights.
 *   <li>On the way out of a {@code train} request ({@value Compression#UPLOAD_KEY}), the reply's weights become the
 *       update {@code trained − received} (only the tensors the reply holds: a personalised client sends part of the
 *       model), encoded. With error feedback ({@link Codec#errorFeedback()}) the residual kept from earlier rounds is
 *       added first, and what the encoding dropped becomes the new residual, stored in {@link Context#state()} under
 *       {@value #RESIDUAL_KEY}; without it any residual is forgotten.
 * </ul>
 *
 * <p>Stochastic rounding draws from a generator seeded by the client id and the {@code round} of the config, so a
 * simulation stays deterministic. An unknown codec or a model that does not decode is answered with a
 * {@link MessageError.Code#BAD_REQUEST} error without calling the app; a reply that cannot be encoded (a tensor that
 * was not sent, a NaN) with an {@link MessageError.Code#APP_ERROR}. The mod holds nothing itself, so one instance
 * may serve any number of clients. Place it first (outermost), so that the others see float32 models and it sees the
 * reply they made.
 */
public final class CompressionMod implements ClientMod {
  /** The {@link dev.flotilla.core.client.ClientState} key of the error-feedback residual. */
  public static final String RESIDUAL_KEY = "compress/residual";

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    boolean train = message.type().equals(MessageTypes.TRAIN);
    Config config = message.config();
    if (!(train || message.type().equals(MessageTypes.EVALUATE))
        || !config.has(Compression.DOWNLOAD_KEY) && !(train && config.has(Compression.UPLOAD_KEY))) {
      return next.handle(message, context);
    }
    Message request = message;
    Codec upload = null;
    try {
      if (config.has(Compression.DOWNLOAD_KEY)) {
        Codec download = Codecs.parse(config.getString(Compression.DOWNLOAD_KEY, ""));
        request = message.withArrays(download.decode(message.arrays(), download.declaredSpecs(message.arrays())));
      }
      if (train && config.has(Compression.UPLOAD_KEY)) {
        upload = Codecs.parse(config.getString(Compression.UPLOAD_KEY, ""));
      }
    } catch (IllegalArgumentException e) {
      return Message.error(MessageError.Code.BAD_REQUEST, "compression: " + e.getMessage());
    }
    Message reply = next.handle(request, context);
    if (upload == null || reply == null || !reply.type().equals(MessageTypes.TRAIN_RESULT)) {
      return reply;
    }
    try {
      Random random = new Random(Seeds.mix(context.clientId().hashCode() * Seeds.GOLDEN_GAMMA
          + config.getLong("round", 0)));
      return reply.withArrays(encodeUpdate(upload, request.arrays(), reply.arrays(), context.state(), random));
    } catch (IllegalArgumentException e) {
      return Message.error(MessageError.Code.APP_ERROR, "compression: cannot encode the update: " + e.getMessage());
    }
  }

  private static ModelWeights encodeUpdate(Codec codec, ModelWeights received, ModelWeights trained,
      ClientState state, Random random) {
    ModelWeights update = Deltas.difference(trained, received);
    if (!codec.errorFeedback()) {
      state.remove(RESIDUAL_KEY);
      return codec.encode(update, random);
    }
    Optional<ModelWeights> residual = state.arrays(RESIDUAL_KEY);
    ModelWeights corrected = residual.isEmpty() ? update
        : update.replacing(Deltas.sum(Deltas.matching(residual.get(), update), update));
    ModelWeights encoded = codec.encode(corrected, random);
    ModelWeights sent = codec.decode(encoded, corrected.specs());
    state.putArrays(RESIDUAL_KEY, Deltas.difference(corrected, sent));
    return encoded;
  }
}
