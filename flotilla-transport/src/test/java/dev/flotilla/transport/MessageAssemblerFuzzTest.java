package dev.flotilla.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of {@link MessageAssembler} with Jazzer: a peer may send any sequence of frames
 * ({@link FuzzedFrames}: wild dtypes, shapes, byte lengths, ids and checksums, or consistent ones), and an assembler
 * with a byte cap must refuse what is wrong with a {@link ProtocolException} alone (no other exception, no
 * {@link OutOfMemoryError}) and allocate no more than its cap for a message's arrays ({@link BudgetedAssembler}).
 *
 * <p>{@code mvn verify} runs it in Jazzer's regression mode: once on each input in the resource directory
 * {@code MessageAssemblerFuzzTestInputs/} (inputs an earlier fuzzing run found), in about a second. Fuzzing, up to
 * {@code maxDuration}, on demand:
 * <pre>{@code JAZZER_FUZZ=1 ./mvnw -pl flotilla-transport -am test -Dtest=MessageAssemblerFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false}</pre>
 */
class MessageAssemblerFuzzTest {
  @BeforeAll
  static void warmUp() {
    BudgetedAssembler.warmUp();
  }

  @FuzzTest(maxDuration = "5m")
  void refusesOnlyWithProtocolExceptionsWithinItsCap(FuzzedDataProvider data) {
    BudgetedAssembler assembler = new BudgetedAssembler();
    FuzzedFrames frames = new FuzzedFrames(data);
    while (frames.hasNext()) {
      if (!assembler.offer(frames.next())) {
        return; // the receiver closes the connection
      }
    }
  }
}
