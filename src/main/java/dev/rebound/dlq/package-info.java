/**
 * The pieces of {@code rebound dlq replay}: what to do with each dead letter, and reading its original record back.
 */
package dev.rebound.dlq;
