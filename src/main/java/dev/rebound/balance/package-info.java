/**
 * How a pool spreads its calls over its endpoints ({@code balance}: weighted, least-loaded,
 * latency): the order in which a call tries them, preferring endpoints its request has not tried.
 * Pure.
 */
package dev.rebound.balance;
