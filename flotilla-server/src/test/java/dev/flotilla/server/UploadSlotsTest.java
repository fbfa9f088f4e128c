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
    UploadSlots.Lease a = slots.acquire(1, granted::add);
    UploadSlots.Lease b = slots.acquire(1, granted::add);
    Consumer<UploadSlots.Lease> first = l -> granted.add(l);
    Consumer<UploadSlots.Lease> second = l -> granted.add(l);

    assertThat(a).isNotNull();
    assertThat(b).isNotNull();
    assertThat(slots.acquire(1, first)).isNull();
    assertThat(slots.acquire(1, second)).isNull();
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
  void withOneSlotTellsEachWaiterOnceWhenItBecomesFirstInLine() {
    UploadSlots slots = new UploadSlots(1);
    List<String> told = new ArrayList<>();
    UploadSlots.Lease a = slots.acquire(1, granted::add, () -> told.add("a"));
    assertThat(a).isNotNull();
    assertThat(told).as("a lease at once is never told").isEmpty();

    assertThat(slots.acquire(1, granted::add, () -> told.add("b"))).isNull();
    assertThat(told).as("b is first in line at once").containsExactly("b");
    Consumer<UploadSlots.Lease> c = granted::add;
    assertThat(slots.acquire(1, c, () -> told.add("c"))).isNull();
    Consumer<UploadSlots.Lease> d = granted::add;
    assertThat(slots.acquire(1, d, () -> told.add("d"))).isNull();
    assertThat(told).as("c and d wait behind b").containsExactly("b");

    a.release(); // b gets the slot, c is first in line
    assertThat(granted).hasSize(1);
    assertThat(told).containsExactly("b", "c");
    assertThat(slots.cancel(c)).isTrue(); // d is first in line now
    assertThat(told).containsExactly("b", "c", "d");
    granted.get(0).release(); // d is served; nobody is left in line
    assertThat(granted).hasSize(2);
    assertThat(told).as("nobody told twice").containsExactly("b", "c", "d");
  }

  @Test
  void tellsAsManyWaitersAsTheLookahead() {
    UploadSlots none = new UploadSlots(1, Long.MAX_VALUE, 0);
    none.acquire(1, granted::add);
    List<String> notTold = new ArrayList<>();
    assertThat(none.acquire(1, granted::add, () -> notTold.add("x"))).isNull();
    assertThat(notTold).as("no lookahead").isEmpty();

    UploadSlots slots = new UploadSlots(2, Long.MAX_VALUE, 2);
    List<String> told = new ArrayList<>();
    UploadSlots.Lease a = slots.acquire(1, granted::add, () -> told.add("a"));
    slots.acquire(1, granted::add, () -> told.add("b"));
    for (String w : List.of("c", "d", "e")) {
      assertThat(slots.acquire(1, granted::add, () -> told.add(w))).isNull();
    }
    assertThat(told).containsExactly("c", "d");
    a.release(); // c is served: d and e are the first two in line
    assertThat(told).containsExactly("c", "d", "e");
  }

  @Test
  void cancelledWaiterIsSkipped() {
    UploadSlots slots = new UploadSlots(1);
    UploadSlots.Lease a = slots.acquire(1, granted::add);
    Consumer<UploadSlots.Lease> waiter = granted::add;
    assertThat(slots.acquire(1, waiter)).isNull();

    assertThat(slots.cancel(waiter)).isTrue();
    a.release();

    assertThat(granted).isEmpty();
    assertThat(slots.free()).isEqualTo(1);
    assertThat(slots.cancel(waiter)).isFalse();
  }

  @Test
  void byteBudgetHoldsBackAnUploadUntilEnoughIsReleased() {
    UploadSlots slots = new UploadSlots(3, 100);
    UploadSlots.Lease a = slots.acquire(60, granted::add);
    assertThat(a).isNotNull();
    assertThat(slots.acquire(50, granted::add)).as("60 + 50 > 100").isNull();
    assertThat(slots.acquire(10, granted::add)).as("first come, first served: behind the waiting 50").isNull();
    assertThat(slots.freeBytes()).isEqualTo(40);

    a.release();

    assertThat(granted).extracting(UploadSlots.Lease::bytes).containsExactly(50L, 10L);
    assertThat(slots.freeBytes()).isEqualTo(40);
    granted.forEach(UploadSlots.Lease::release);
    assertThat(slots.freeBytes()).isEqualTo(100);
    assertThat(slots.free()).isEqualTo(3);
  }

  @Test
  void uploadLargerThanTheBudgetWaitsForAllOfIt() {
    UploadSlots slots = new UploadSlots(2, 100);
    UploadSlots.Lease small = slots.acquire(1, granted::add);
    assertThat(slots.acquire(1_000, granted::add)).isNull();

    small.release();

    assertThat(granted).extracting(UploadSlots.Lease::bytes).containsExactly(100L);
    assertThat(slots.freeBytes()).isZero();
  }

  @Test
  void cancellingTheHeadWaiterServesTheNextThatFits() {
    UploadSlots slots = new UploadSlots(2, 100);
    UploadSlots.Lease held = slots.acquire(90, granted::add);
    Consumer<UploadSlots.Lease> big = granted::add;
    assertThat(slots.acquire(50, big)).isNull();
    assertThat(slots.acquire(10, granted::add)).isNull();

    assertThat(slots.cancel(big)).isTrue();

    assertThat(granted).extracting(UploadSlots.Lease::bytes).containsExactly(10L);
    held.release();
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new UploadSlots(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> new UploadSlots(1, 0)).hasMessageContaining("got 0");
  }
}
