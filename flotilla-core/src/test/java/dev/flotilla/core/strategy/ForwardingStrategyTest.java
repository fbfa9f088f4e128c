package dev.flotilla.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.compress.Codecs;
import dev.flotilla.core.compress.Compression;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.personal.LocalLayers;
import dev.flotilla.core.testing.TestModels;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardingStrategyTest {
  /** FedAvg that asks the run to stop and keeps a state: what every wrapper must pass on. */
  private static final class Stopping extends FedAvg {
    @Override
    public Optional<String> stopReason() {
      return Optional.of("budget spent");
    }

    @Override
    public StrategyState state() {
      return new StrategyState(Config.of("steps", 3), TestModels.small());
    }
  }

  @Test
  void aWrapperThatOverridesNothingForwardsEverything() {
    Strategy wrapped = new ForwardingStrategy(new Stopping()) { };
    assertThat(wrapped.stopReason()).contains("budget spent");
    assertThat(wrapped.state().scalars().getLong("steps", 0)).isEqualTo(3);
    assertThat(wrapped.trainResultSpecs(TestModels.small())).contains(TestModels.small().specs());
  }

  @Test
  void aWrapperNamesWhatItWraps() {
    String first = TestModels.small().get(0).name();
    Strategy personal = new LocalLayers(new Compression(new FedAvg(), Codecs.parse("int8"), null),
        java.util.regex.Pattern.quote(first));
    assertThat(new FedAvg().name()).isEqualTo("FedAvg");
    assertThat(personal.name()).isEqualTo("LocalLayers(Compression(FedAvg))");
  }

  @Test
  void compressionAndLocalLayersPassOnAStopReason() {
    Strategy compressed = new Compression(new Stopping(), Codecs.parse("int8"), null);
    assertThat(compressed.stopReason()).contains("budget spent");
    String first = TestModels.small().get(0).name();
    Strategy personal = new LocalLayers(new Stopping(), java.util.regex.Pattern.quote(first));
    assertThat(personal.stopReason()).contains("budget spent");
  }
}
