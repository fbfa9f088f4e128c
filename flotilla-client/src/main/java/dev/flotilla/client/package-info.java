/**
 * The client SDK: {@link FlotillaClient} connects a {@link dev.flotilla.core.client.ClientApp} to a server, serves
 * its requests and reconnects when the connection drops. Free of training engines, databases and web servers.
 */
package dev.flotilla.client;
