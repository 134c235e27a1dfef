/**
 * Rebound's meters and their names: written by the topology and the assembly, served by {@code ops}.
 */
package dev.rebound.metrics;
