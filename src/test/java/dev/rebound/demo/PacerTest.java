package dev.rebound.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PacerTest {

    @Test
    void shouldNotWaitWithoutARateOrForASlotAlreadyDue() {
        final long t = System.nanoTime();
        new Pacer(0).awaitSlot(1_000_000);
        new Pacer(10).awaitSlot(0);
        assertThat(System.nanoTime() - t).as("no slot to wait for").isLessThan(1_000_000_000L);
    }

    @Test
    void shouldWaitUntilTheSlotIsDue() {
        final Pacer pacer = new Pacer(20); // slot 4 is due 200 ms after the start
        final long t = System.nanoTime();
        pacer.awaitSlot(4);
        assertThat(System.nanoTime() - t).isGreaterThanOrEqualTo(150_000_000L);
    }
}
