/**
 * Durations as Rebound reads and writes them ({@code 30s}, {@code 1h}): a leaf every other package may use.
 */
package dev.rebound.time;
