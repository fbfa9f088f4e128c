package dev.flotilla.djl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PyTorchRuntimeTest {
  @Test
  void loadsOfflineWithOneComputeThread() {
    assertThat(PyTorchRuntime.engine().getEngineName()).isEqualTo("PyTorch");
    assertThat(System.getProperty(PyTorchRuntime.OFFLINE_PROPERTY)).isEqualTo("true");
    assertThat(PyTorchRuntime.intraOpThreads()).isEqualTo(1);
    assertThat(PyTorchRuntime.interOpThreads()).isEqualTo(1);
  }
}
