package dev.flotilla.core.personal;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client side of {@link LocalLayers}: keeps this client's local layers on the client. Acts only on
 * {@code train} and {@code evaluate} requests whose config holds {@value LocalLayers#CONFIG_KEY}; passes every other
 * message through untouched.
 *
 * <ul>
 *   <li>On the way in, the local layers of the received model are replaced by this client's own, stored in
 *       {@link Context#state()} under {@value #STATE_KEY}. Before the client has trained (nothing stored yet) it keeps
 *       the received values, which are the global model's initial ones. Evaluation thus measures the client's own
 *       personalised model.
 *   <li>On the way out of a {@code train} request, the trained local layers of a {@code train_result} reply are
 *       stored and removed from the reply, so they never leave the client.
 * </ul>
 *
 * <p>A regex that is not valid, or a stored layer whose shape or type differs from the received one, is answered
 * with a {@link MessageError.Code#BAD_REQUEST} error without calling the app. The mod itself holds nothing, so one
 * instance may serve any number of clients; what it remembers is in each client's context.
 */
public final class LocalLayersMod implements ClientMod {
  /** The {@link ClientState} key under which a client's local layers are kept. */
  public static final String STATE_KEY = "personal/local_layers";

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    boolean train = message.type().equals(MessageTypes.TRAIN);
    if (!(train || message.type().equals(MessageTypes.EVALUATE)) || !message.config().has(LocalLayers.CONFIG_KEY)) {
      return next.handle(message, context);
    }
    ClientState state = context.state();
    Optional<ModelWeights> stored = state.arrays(STATE_KEY);
    LayerPattern local;
    Message request;
    try {
      local = LayerPattern.of(message.config().getString(LocalLayers.CONFIG_KEY, ""));
      request = stored.isEmpty() ? message
          : message.withArrays(message.arrays().replacing(ownLayers(local, message.arrays(), stored.get())));
    } catch (IllegalArgumentException e) {
      return Message.error(MessageError.Code.BAD_REQUEST, e.getMessage());
    }
    Message reply = next.handle(request, context);
    if (!train || reply == null || !reply.type().equals(MessageTypes.TRAIN_RESULT)) {
      return reply;
    }
    ModelWeights trainedLocal = local.local(reply.arrays());
    if (trainedLocal.isEmpty()) {
      return reply;
    }
    state.putArrays(STATE_KEY, state.arrays(STATE_KEY).map(s -> s.replacing(trainedLocal)).orElse(trainedLocal));
    return reply.withArrays(local.shared(reply.arrays()));
  }

  /**
   * The stored tensors that stand in for local layers of {@code received}; stored tensors that the received model
   * lacks, or that the pattern no longer matches, are left out.
   *
   * @throws IllegalArgumentException if a stored layer has another type or shape than the received one
   */
  private static ModelWeights ownLayers(LayerPattern local, ModelWeights received, ModelWeights stored) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor own : stored.tensors()) {
      Optional<Tensor> got = received.find(own.name());
      if (got.isEmpty() || !local.matches(own.name())) {
        continue;
      }
      if (!got.get().spec().equals(own.spec())) {
        throw new IllegalArgumentException("this client's local layer " + own.spec() + " does not fit the received "
            + got.get().spec());
      }
      out.add(own);
    }
    return ModelWeights.of(out);
  }
}
