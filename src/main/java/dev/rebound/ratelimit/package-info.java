/**
 * Cluster-wide rate limits (DESIGN §5, §7): the owner's {@link dev.rebound.ratelimit.QuotaLedger},
 * each task's {@link dev.rebound.ratelimit.TaskQuota}, and what they say to each other. Pure.
 */
package dev.rebound.ratelimit;
