/**
 * Server workflows: how rounds are driven over the clients of a {@link dev.flotilla.server.ClientRegistry}.
 * {@link SyncWorkflow} is the synchronous loop (sample, train, aggregate, evaluate, repeat); later workflows
 * (asynchronous, multi-stage secure aggregation) sit beside it and reuse the registry and transport.
 */
package dev.flotilla.server.workflow;
