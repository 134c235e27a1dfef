/**
 * Kafka administration: the embedded broker, topic specs and checks, waiting for a cluster, reading a topic, and a
 * processor in a separate JVM.
 */
package dev.rebound.admin;
