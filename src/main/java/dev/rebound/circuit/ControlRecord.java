package dev.rebound.circuit;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * An operator's switch for one target, on the compacted {@code agent-control} topic: while
 * {@code disabled}, no call goes to the target (or to any child of it).
 *
 * @param disabled whether calls are stopped
 * @param reason   why, in the operator's words
 * @param at       when it was set
 * @param by       who set it (the OS user of {@code rebound control}), or {@code null}
 */
public record ControlRecord(@JsonProperty(required = true) boolean disabled, String reason,
                            Instant at, String by) {
}
