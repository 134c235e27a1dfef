/**
 * The simulated LLM or tool endpoint behind the demo, the tests and the benchmarks, and its scenarios.
 */
package dev.rebound.sim;
