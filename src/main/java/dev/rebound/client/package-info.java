/**
 * The client library for agents: {@link dev.rebound.client.ReboundClient} sends requests and
 * returns futures of their {@link dev.rebound.client.Outcome}s. It depends on kafka-clients and
 * Jackson only, and on no other Rebound package (ArchitectureTest keeps it so), so that it ships as
 * its own small jar ({@code target/rebound-client.jar}).
 */
package dev.rebound.client;
