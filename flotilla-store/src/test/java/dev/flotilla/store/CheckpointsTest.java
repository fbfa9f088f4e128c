package dev.flotilla.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.strategy.StrategyState;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.workflow.RoundRecord;
import dev.flotilla.workflow.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files, and what a crash at each point of saving a round leaves for the resumed run. */
class CheckpointsTest {
  @TempDir
  Path stateDir;

  private static ModelWeights model(float value) {
    return ModelWeights.of(Tensor.of("w", new int[] {3}, new float[] {value, value, value}));
  }

  private static RoundRecord record(int round) {
    return new RoundRecord(round, null, null, null, null, 1, 0, 1, 0, 0);
  }

  @Test
  void aFileIsWrittenUnderItsRunAndRoundAndReadBackWhenItsHashMatches() throws Exception {
    Checkpoints checkpoints = new Checkpoints(stateDir);
    Checkpoints.StoredFile file = checkpoints.write("run-1", 7, "model", model(2));
    assertThat(file.relativePath()).isEqualTo("runs/run-1/round-00007.model.safetensors");
    assertThat(file.sha256()).hasSize(64);
    assertThat(file.bytes()).isEqualTo(Files.size(stateDir.resolve(file.relativePath())));
    assertThat(checkpoints.read(file.relativePath(), file.sha256()).contentEquals(model(2))).isTrue();
    assertThat(SafeTensors.readMetadata(stateDir.resolve(file.relativePath()))).containsEntry("round", "7")
        .containsEntry("kind", "model");
  }

  @Test
  void aCrashBeforeTheCommitLeavesTheRunAtItsPreviousRoundAndTheRoundIsSavedAgain() throws Exception {
    try (RunStore store = RunStore.open(stateDir, null)) {
      store.create("r", new RunSpec("fedavg", "mlp", 3, 1));
      store.saveRound("r", record(1), model(1), StrategyState.empty(), List.of("a"));
    }
    // the killed attempt at round 2: its model file was renamed into place, and another write was half done
    Checkpoints checkpoints = new Checkpoints(stateDir);
    checkpoints.write("r", 2, "model", model(99));
    Path dir = stateDir.resolve("runs").resolve("r");
    Files.write(dir.resolve(".round-00002.state.safetensors.12345.tmp"), new byte[] {1, 2, 3});

    try (RunStore store = RunStore.open(stateDir, null)) {
      assertThat(store.checkpoints().removeUnfinishedWrites("r")).isEqualTo(1);
      Checkpoint last = store.lastCheckpoint("r").orElseThrow();
      assertThat(last.round()).isEqualTo(1);
      assertThat(last.model().contentEquals(model(1))).isTrue();
      // the resumed run makes round 2 again and its save replaces the stray file
      store.saveRound("r", record(2), model(2), StrategyState.empty(), List.of("a"));
      assertThat(store.lastCheckpoint("r").orElseThrow().model().contentEquals(model(2))).isTrue();
      assertThat(store.rounds("r")).extracting(RoundRecord::round).containsExactly(1, 2);
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly(
          "round-00001.model.safetensors", "round-00002.model.safetensors");
    }
  }
}
