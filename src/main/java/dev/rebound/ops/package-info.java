/**
 * The instance's HTTP ops endpoint: {@code /metrics}, {@code /circuits}, {@code /health/live}, {@code /health/ready}.
 */
package dev.rebound.ops;
