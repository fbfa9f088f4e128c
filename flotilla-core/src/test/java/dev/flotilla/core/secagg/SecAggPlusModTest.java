package dev.flotilla.core.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's side of SecAgg+ refuses what would expose its update, driven here by hand as a server would. */
class SecAggPlusModTest {
  private static final ModelWeights GLOBAL = ModelWeights.of(Tensor.of("w", new int[] {4}, new float[4]));
  private static final ClientApp APP = (m, ctx) -> MessageTypes.trainResult(new TrainResult(
      ModelWeights.of(Tensor.of("w", new int[] {4}, new float[] {1, 2, 3, 4})), 10, Metrics.empty()));
  private final SecAggPlusMod mod = new SecAggPlusMod();
  private final SecAggSettings settings = SecAggSettings.of(3, 2);
  private final List<Context> clients = List.of(Context.of("a", Config.empty()), Context.of("b", Config.empty()),
      Context.of("c", Config.empty()));

  @Test
  void stagesOutOfOrderAreRefused() {
    Message reply = mod.handle(request(SecAggMessages.COLLECT_MASKED, Config.empty(), GLOBAL), clients.get(0), APP);
    assertError(reply, "without a set-up round");
  }

  @Test
  void aClientRevealsNeverBothSharesOfANeighbourNorUnmasksBelowTheThreshold() {
    List<ModelWeights> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Message r = mod.handle(request(SecAggMessages.SETUP, settings.toConfig().with(SecAggMessages.INDEX, i + 1),
          ModelWeights.empty()), clients.get(i), APP);
      assertEquals(SecAggMessages.PUBLIC_KEYS, r.type(), String.valueOf(r.error()));
      keys.add(r.arrays());
    }
    List<ModelWeights> shares = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<Tensor> arrays = new ArrayList<>();
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          others.add(j + 1);
          arrays.add(keys.get(j).get(SecAggMessages.PK_C).renamed(SecAggMessages.PK_C + "/" + (j + 1)));
          arrays.add(keys.get(j).get(SecAggMessages.PK_S).renamed(SecAggMessages.PK_S + "/" + (j + 1)));
        }
      }
      Message r = mod.handle(request(SecAggMessages.SHARE_KEYS, Config.of(SecAggMessages.NEIGHBOURS,
          SecAggMessages.joinIndices(others)), ModelWeights.of(arrays)), clients.get(i), APP);
      assertEquals(SecAggMessages.ENCRYPTED_SHARES, r.type(), String.valueOf(r.error()));
      shares.add(r.arrays());
    }
    for (int i = 0; i < 3; i++) {
      List<Tensor> arrays = new ArrayList<>(GLOBAL.tensors());
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          arrays.add(shares.get(j).get("share/" + (i + 1)).renamed(SecAggMessages.FORWARDED + (j + 1)));
        }
      }
      Message r = mod.handle(request(SecAggMessages.COLLECT_MASKED, Config.empty(), ModelWeights.of(arrays)),
          clients.get(i), APP);
      assertEquals(SecAggMessages.MASKED_VECTOR, r.type(), String.valueOf(r.error()));
    }
    // the server asks client 1 for both the self-mask share and the mask-key share of client 2
    assertError(mod.handle(request(SecAggMessages.UNMASK, Config.of(SecAggMessages.ACTIVE, "1,2,3",
        SecAggMessages.DROPPED, "2"), ModelWeights.empty()), clients.get(0), APP), "names a client twice");
    assertError(mod.handle(request(SecAggMessages.UNMASK, Config.of(SecAggMessages.ACTIVE, "1",
        SecAggMessages.DROPPED, "2,3"), ModelWeights.empty()), clients.get(0), APP), "fewer than the threshold");
    assertError(mod.handle(request(SecAggMessages.UNMASK, Config.of(SecAggMessages.ACTIVE, "2,3",
        SecAggMessages.DROPPED, "1"), ModelWeights.empty()), clients.get(0), APP), "this client as dropped");
    Message fine = mod.handle(request(SecAggMessages.UNMASK, Config.of(SecAggMessages.ACTIVE, "1,2",
        SecAggMessages.DROPPED, "3"), ModelWeights.empty()), clients.get(0), APP);
    assertEquals(SecAggMessages.REVEALED_SHARES, fine.type(), String.valueOf(fine.error()));
    assertEquals(List.of("b/1", "b/2", "s/3"), fine.arrays().names());
    assertFalse(clients.get(0).state().keys().contains(SecAggPlusMod.STATE_KEY), "the round's secrets are gone");
    assertError(mod.handle(request(SecAggMessages.UNMASK, Config.of(SecAggMessages.ACTIVE, "1,3",
        SecAggMessages.DROPPED, "2"), ModelWeights.empty()), clients.get(0), APP), "without a set-up round");
  }

  private static Message request(String type, Config config, ModelWeights arrays) {
    return new Message(type, config.with(SecAggMessages.ROUND, 1), Metrics.empty(), arrays);
  }

  private static void assertError(Message reply, String part) {
    assertTrue(reply.isError(), "expected an error, got " + reply.type());
    assertEquals(MessageError.Code.BAD_REQUEST, reply.error().code());
    assertTrue(reply.error().reason().contains(part), reply.error().reason());
  }
}
