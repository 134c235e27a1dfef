package dev.rebound.request;

/** Where a request record was read: lets an operator find the original bytes of any dead letter. */
public record Source(String topic, int partition, long offset) {
}
