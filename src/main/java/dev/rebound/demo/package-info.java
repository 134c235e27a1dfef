/**
 * {@code rebound demo} and {@code rebound dev}: a whole Rebound in one JVM, its load, and the summary and report
 * counted from the output topics.
 */
package dev.rebound.demo;
