/**
 * The simulation engine: a federation of many virtual clients in one JVM, run by the same code as a deployment.
 * {@link dev.flotilla.sim.SimulatedFleet} is a {@link dev.flotilla.workflow.Fleet} of
 * {@link dev.flotilla.sim.VirtualClient}s, so the server's {@code SyncWorkflow} drives them as it drives gRPC clients;
 * {@link dev.flotilla.sim.Simulation} puts together a run on Fashion-MNIST (partition, FedAvg, central evaluation,
 * output files) for {@code flotilla simulate}.
 */
package dev.flotilla.sim;
