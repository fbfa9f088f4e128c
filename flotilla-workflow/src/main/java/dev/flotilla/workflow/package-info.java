/**
 * Server workflows: how rounds are driven over the clients of a {@link dev.flotilla.workflow.Fleet} (a gRPC server's
 * {@link dev.flotilla.server.ClientRegistry}, or the virtual clients of a simulation).
 * {@link SyncWorkflow} is the synchronous loop (sample, train, aggregate, evaluate, repeat); later workflows
 * (asynchronous, multi-stage secure aggregation) sit beside it and reuse the fleet and transport.
 */
package dev.flotilla.workflow;
