package dev.flotilla.cli;

import dev.flotilla.core.client.ClientState;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.sim.SimulatedFleet;
import dev.flotilla.workflow.AsyncWorkflow;
import dev.flotilla.workflow.CheckpointListener;
import dev.flotilla.workflow.ClientProxy;
import dev.flotilla.workflow.Fleet;
import dev.flotilla.workflow.Reply;
import dev.flotilla.workflow.ReplyAllowance;
import dev.flotilla.workflow.RoundListener;
import dev.flotilla.workflow.RoundRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An asynchronous simulation's link to the run store ({@code flotilla simulate --workflow async --state-dir}): after
 * every model version its record, the model, the strategy's state and every virtual client's {@code Context} state
 * are saved (only the clients whose state changed, through {@link StoredSimulation#save}), and with {@code --resume} the simulation goes on after the last stored version ({@link AsyncWorkflow}
 * restores nothing but what the checkpoint holds; {@link StoredSimulation#resume} gives the strategy and the clients
 * their state back).
 *
 * <p>The clients' states must match the version they are stored with. Clients train on worker threads while the
 * workflow takes their results in simulated-time order, so when a version is made some clients are still training,
 * or have finished in real time a task whose result comes later on the simulated clock. Those tasks are lost on a
 * resume; so for each such client ({@link AsyncWorkflow#clientsTraining()}) the state stored is the one it had when
 * its current task was sent, not the one its worker may have changed since. Every stored client state thus holds
 * exactly the tasks whose outcomes the workflow had taken (a local DP client's participations, personal layers).
 *
 * <p>Use {@link #fleet()} as the workflow's fleet: it notes each client's state as a training task is sent to it.
 */
final class StoredAsyncSimulation {
  private final StoredSimulation stored;
  private final SimulatedFleet fleet;
  private final Map<String, Optional<ClientState>> beforeTask = new ConcurrentHashMap<>();
  private final Fleet noting;

  /** Saving through {@code stored} (only the clients whose state changed), for the simulation of {@code fleet}. */
  StoredAsyncSimulation(StoredSimulation stored, SimulatedFleet fleet) {
    this.stored = stored;
    this.fleet = fleet;
    this.noting = new NotingFleet();
  }

  /** The simulated fleet, noting each client's state before a training task reaches it: give the workflow this. */
  Fleet fleet() {
    return noting;
  }

  /**
   * The workflow's listener: times each version's record ({@code timed}), saves it with the model, the strategy's
   * state and the clients' states (those still training as they were before their task), then passes the timed
   * record to {@code display}. Runs on the workflow's thread, as {@code workflow.clientsTraining()} must.
   */
  CheckpointListener listener(AsyncWorkflow workflow, SimulatedRounds timed, RoundListener display) {
    return (record, model, state) -> {
      RoundRecord rec = timed.add(record);
      stored.save(rec, model, state, clientStates(workflow.clientsTraining()));
      display.onRound(rec, model);
    };
  }

  /** Every client's state, those in {@code training} as they were when their current task was sent. */
  private Map<String, ClientState> clientStates(Set<String> training) {
    Map<String, ClientState> out = new TreeMap<>();
    for (ClientInfo client : fleet.clients()) {
      Optional<ClientState> state = training.contains(client.id())
          ? beforeTask.getOrDefault(client.id(), Optional.empty()) : fleet.clientState(client.id());
      state.ifPresent(s -> out.put(client.id(), s));
    }
    return out;
  }

  /** The simulated fleet, with each training request preceded by a copy of its client's state. */
  private final class NotingFleet implements Fleet {
    @Override
    public List<ClientInfo> clients() {
      return fleet.clients();
    }

    @Override
    public Optional<ClientProxy> client(String id) {
      return fleet.client(id).map(NotingProxy::new);
    }

    @Override
    public int size() {
      return fleet.size();
    }

    @Override
    public boolean awaitClients(int count, Duration timeout) throws InterruptedException {
      return fleet.awaitClients(count, timeout);
    }

    @Override
    public long bytesReceived() {
      return fleet.bytesReceived();
    }

    @Override
    public long bytesSent() {
      return fleet.bytesSent();
    }

    @Override
    public CompletableFuture<Void> finish() {
      return fleet.finish();
    }
  }

  /** A virtual client's handle that notes the client's state before sending it a training task. */
  private final class NotingProxy implements ClientProxy {
    private final ClientProxy inner;

    NotingProxy(ClientProxy inner) {
      this.inner = inner;
    }

    @Override
    public ClientInfo info() {
      return inner.info();
    }

    @Override
    public boolean isConnected() {
      return inner.isConnected();
    }

    @Override
    public CompletableFuture<Reply> request(Message request) {
      note(request);
      return inner.request(request);
    }

    // the forms with an allowance go to the virtual client's own, so that it checks and cancels as it does
    @Override
    public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance) {
      note(request);
      return inner.request(request, allowance);
    }

    @Override
    public CompletableFuture<Reply> request(Message request, ReplyAllowance allowance, Runnable onReplyStart) {
      note(request);
      return inner.request(request, allowance, onReplyStart);
    }

    private void note(Message request) {
      if (MessageTypes.TRAIN.equals(request.type())) {
        // the client has no task out (the workflow gives one at a time), so its state is settled
        beforeTask.put(inner.id(), fleet.clientState(inner.id()));
      }
    }

    @Override
    public CompletableFuture<Void> send(Message message) {
      return inner.send(message);
    }
  }
}
