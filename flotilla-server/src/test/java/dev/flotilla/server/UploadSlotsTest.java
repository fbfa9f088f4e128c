package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class UploadSlotsTest {
  private final List<UploadSlots.Lease> granted = new ArrayList<>();

  @Test
  void grantsUpToCapacityThenQueuesInOrder() {
    UploadSlots slots = new UploadSlots(2);
    UploadSlots.Lease a = slots.acquire(granted::add);
    UploadSlots.Lease b = slots.acquire(granted::add);
    Consumer<UploadSlots.Lease> first = l -> granted.add(l);
    Consumer<UploadSlots.Lease> second = l -> granted.add(l);

    assertThat(a).isNotNull();
    assertThat(b).isNotNull();
    assertThat(slots.acquire(first)).isNull();
    assertThat(slots.acquire(second)).isNull();
    assertThat(slots.free()).isZero();

    a.release();
    assertThat(granted).hasSize(1);
    a.release(); // twice is harmless
    assertThat(granted).hasSize(1);
    assertThat(slots.free()).isZero();

    granted.get(0).release();
    assertThat(granted).hasSize(2);
    granted.get(1).release();
    b.release();
    assertThat(slots.free()).isEqualTo(2);
  }

  @Test
  void cancelledWaiterIsSkipped() {
    UploadSlots slots = new UploadSlots(1);
    UploadSlots.Lease a = slots.acquire(granted::add);
    Consumer<UploadSlots.Lease> waiter = granted::add;
    assertThat(slots.acquire(waiter)).isNull();

    assertThat(slots.cancel(waiter)).isTrue();
    a.release();

    assertThat(granted).isEmpty();
    assertThat(slots.free()).isEqualTo(1);
    assertThat(slots.cancel(waiter)).isFalse();
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new UploadSlots(0)).hasMessageContaining("got 0");
  }
}
