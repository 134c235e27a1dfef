/**
 * Counts over a sliding time window, shared by the retry budget and the circuit window: a leaf.
 */
package dev.rebound.window;
