/**
 * The JDK HTTP server as both of Rebound's own endpoints use it (the ops endpoint, the simulator): a leaf.
 */
package dev.rebound.http;
