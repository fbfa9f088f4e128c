package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flotilla.core.privacy.RdpAccountant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla simulate --dp …} end to end on a small Fashion-MNIST subset with the MLP. */
class SimulatePrivacyTest {
  @TempDir
  Path dir;

  private static CommandOutput simulate(Path out, String... more) {
    String[] base = {"simulate", "--clients", "20", "--clients-per-round", "5", "--model", "mlp",
        "--train-examples", "2000", "--test-examples", "300", "--progress", "never", "--seed", "3",
        "--out", out.toString()};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CommandOutput.run(args);
  }

  private static List<JsonObject> metrics(Path out) throws Exception {
    return Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }

  @Test
  void aRunWithASmallTargetEpsilonEndsBeforeItAndSaysSo() throws Exception {
    Path out = dir.resolve("budget");
    // q = 5/20: the budget lies between the epsilons of 2 and 3 rounds at z = 1
    double target = (RdpAccountant.epsilon(0.25, 1, 2, 1e-5) + RdpAccountant.epsilon(0.25, 1, 3, 1e-5)) / 2;
    CommandOutput r = simulate(out, "--rounds", "10", "--dp", "central", "--dp-noise", "1", "--dp-clip", "0.5",
        "--target-epsilon", String.valueOf(target));
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(0);
    List<JsonObject> rounds = metrics(out).stream().filter(m -> m.get("round").getAsInt() > 0).toList();
    assertThat(rounds).hasSize(2);
    for (JsonObject m : rounds) {
      assertThat(m.get("epsilon").getAsDouble()).isLessThanOrEqualTo(target);
      assertThat(m.get("delta").getAsDouble()).isEqualTo(1e-5);
      assertThat(m.get("dp_clip").getAsDouble()).isEqualTo(0.5);
    }
    assertThat(r.out()).contains("stopped early: privacy budget: round 3");
    JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
    assertThat(summary.get("stopped").getAsString()).contains("privacy budget");
    assertThat(summary.get("final_epsilon").getAsDouble()).isLessThanOrEqualTo(target);
  }

  @Test
  void everyModeReportsEpsilonAndDeltaEveryRound() throws Exception {
    for (String mode : new String[] {"central-client-clip", "local"}) {
      Path out = dir.resolve(mode);
      CommandOutput r = simulate(out, "--rounds", "2", "--dp", mode, "--target-epsilon", "8", "--dp-clip", "1");
      assertThat(r.code()).as("%s: stderr %s", mode, r.err()).isEqualTo(0);
      List<JsonObject> rounds = metrics(out).stream().filter(m -> m.get("round").getAsInt() > 0).toList();
      assertThat(rounds).as(mode).hasSize(2);
      assertThat(rounds).allSatisfy(m -> {
        assertThat(m.get("epsilon").getAsDouble()).isPositive().isLessThanOrEqualTo(8);
        assertThat(m.get("delta").getAsDouble()).isEqualTo(1e-5);
      });
    }
    Path adaptive = dir.resolve("adaptive");
    CommandOutput r = simulate(adaptive, "--rounds", "2", "--dp", "central", "--dp-noise", "0.8",
        "--dp-adaptive-quantile", "0.5", "--dp-clip", "0.1");
    assertThat(r.code()).as("stderr %s", r.err()).isEqualTo(0);
    List<JsonObject> rounds = metrics(adaptive);
    assertThat(rounds.get(2).get("dp_clip").getAsDouble()).isNotEqualTo(0.1);
    assertThat(rounds.get(2).has("dp_unclipped_fraction")).isTrue();
  }

  @Test
  void badPrivacyOptionsGetOneLine() {
    CommandOutput r = simulate(dir.resolve("bad"), "--rounds", "2", "--dp", "central");
    assertThat(r.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(r.err().strip()).contains("needs --dp-noise or --target-epsilon").doesNotContain("\n");
    r = simulate(dir.resolve("bad2"), "--rounds", "2", "--dp", "central", "--dp-noise", "1", "--strategy", "krum");
    assertThat(r.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(r.err()).contains("cannot wrap krum");
    r = simulate(dir.resolve("bad3"), "--rounds", "2", "--target-epsilon", "1");
    assertThat(r.err()).contains("need --dp");
  }
}
