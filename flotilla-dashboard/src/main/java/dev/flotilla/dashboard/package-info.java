/**
 * A live web page of a run and its Prometheus metrics. {@link dev.flotilla.dashboard.Dashboard} is fed by the
 * workflow (a {@link dev.flotilla.workflow.RoundListener}, and a strategy wrapper that sees every client result and
 * failure), reads which clients the {@link dev.flotilla.workflow.Fleet} has, and serves the page, the run as JSON and
 * Server-Sent Events, and {@code /metrics}; it works the same for a deployed server and a simulation.
 */
package dev.flotilla.dashboard;
