package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;

/** What {@link RequestParser} made of a record: a request, or the reason it is not one. */
public sealed interface ParseResult {

    record Valid(AgentRequest request) implements ParseResult {
    }

    /**
     * @param id      the id, when the record had a usable one
     * @param target  the target named, when there was one
     * @param message what is wrong and how to fix it
     * @param echo    the record as it can be repeated in a dead letter
     */
    record Rejected(DeadLetterReason reason, String message, String id, String target, JsonNode echo,
                    JsonNode metadata) implements ParseResult {
    }
}
