package dev.flotilla.transport;

import dev.flotilla.core.message.Message;
import dev.flotilla.transport.proto.Frame;
import java.util.Optional;

/**
 * A {@link MessageAssembler} with a byte cap, fed frame by frame by the fuzz tests, that checks after each frame
 * that the cap held (no accepted header declares more array bytes; an assembled message has what its header
 * declared) and that the frame allocated at most the cap plus a slack for its decoded header. A violation throws
 * {@link AssertionError}, which Jazzer reports as a finding.
 */
final class BudgetedAssembler {
  /** The cap of the fuzzed assemblers: the array bytes one message may declare. */
  static final long CAP = 64 << 10;
  /**
   * What one frame may allocate besides array memory: its decoded header (specs, config, strings), bounded by the
   * frame's own size, a few KiB in a fuzzer's input.
   */
  static final long SLACK = 256 << 10;

  private final MessageAssembler assembler;
  private long acceptedBytes = -1; // array bytes of the message in progress, as its accepted header declared

  BudgetedAssembler() {
    this.assembler = new MessageAssembler(HeaderPolicy.maxMessageBytes(CAP).and(h -> acceptedBytes = h.arrayBytes()));
  }

  /**
   * Loads and initialises the classes on the assembler's path, so that their one-off allocations happen before any
   * frame is measured; fails if this JVM cannot count allocations per thread.
   */
  static void warmUp() {
    if (!AllocationMeter.supported()) {
      throw new AssertionError("this JVM does not count allocations per thread");
    }
    TestMessages.assemble(TestMessages.frames(TestMessages.withArrays("train", TestMessages.everyDtype()), 100));
  }

  /** Feeds {@code frame}; false if the assembler refused it (and must be discarded), true otherwise. */
  boolean offer(Frame frame) {
    long classes = AllocationMeter.classesLoaded();
    long before = AllocationMeter.allocatedBytes();
    Optional<Message> done;
    try {
      done = assembler.accept(frame);
    } catch (ProtocolException refused) {
      return false;
    }
    long allocated = AllocationMeter.allocatedBytes() - before;
    if (acceptedBytes > CAP) {
      throw new AssertionError("a header declaring " + acceptedBytes + " array bytes was accepted under a cap of " + CAP);
    }
    boolean loadedClasses = AllocationMeter.classesLoaded() != classes; // a one-off cost, see AllocationMeter
    if (allocated > CAP + SLACK && !loadedClasses) {
      throw new AssertionError(allocated + " bytes allocated for one frame, more than " + (CAP + SLACK) + ": " + frame);
    }
    if (done.isPresent() && done.get().arrays().byteSize() != acceptedBytes) {
      throw new AssertionError("a message of " + done.get().arrays().byteSize() + " array bytes was assembled from a"
          + " header declaring " + acceptedBytes);
    }
    return true;
  }
}
