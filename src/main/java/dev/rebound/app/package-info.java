/**
 * The assembly: starts Kafka Streams on the topology with its metrics, exception handler and own health checks.
 */
package dev.rebound.app;
