package dev.rebound.topology;

import dev.rebound.request.Priority;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parked requests of one task: by priority, then oldest first per target, resumed only while there is room, every target served. */
class SlotBacklogTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private final SlotBacklog backlog = new SlotBacklog();

    private static SlotBacklog.Place at(final String id, final Instant firstSeen) {
        return SlotBacklog.Place.of(id, firstSeen, Priority.NORMAL, 0);
    }
    private final List<String> resumed = new ArrayList<>();

    @Test
    void shouldResumeTheOldestRequestFirstWhateverOrderTheyWereParkedIn() {
        backlog.add("a", at("late", T0.plusSeconds(5)));
        backlog.add("a", at("early", T0));
        backlog.add("a", at("middle", T0.plusSeconds(2)));
        backlog.add("a", at("early", T0)); // parked again: keeps its place, is not there twice
        backlog.resume((t, head) -> true, (t, id) -> resumed.add(id), 10);
        assertThat(resumed).containsExactly("early", "middle", "late");
        assertThat(backlog.waiting("a")).containsExactly(0, 0, 0);
        assertThat(backlog.size()).isZero();
    }

    @Test
    void shouldStopResumingATargetAsSoonAsItsLineIsFullAndAtTheBoundInAll() {
        for (int i = 0; i < 5; i++) {
            backlog.add("a", at("a" + i, T0.plusSeconds(i)));
            backlog.add("b", at("b" + i, T0.plusSeconds(i)));
        }
        final Map<String, Integer> room = new HashMap<>(Map.of("a", 2, "b", 10));
        backlog.resume((t, head) -> room.get(t) > 0, (t, id) -> {
            room.merge(t, -1, Integer::sum);
            resumed.add(id);
        }, 4);
        assertThat(resumed).hasSize(4);
        assertThat(resumed.stream().filter(id -> id.startsWith("a"))).as("a's line took two").containsExactly("a0", "a1");
        assertThat(backlog.size()).isEqualTo(6);
        assertThat(backlog.waiting("a")).containsExactly(0, 3, 0);
    }

    @Test
    void shouldStartWithAnotherTargetEachTimeSoThatABusyOneCannotTakeEveryResume() {
        for (int i = 0; i < 10; i++) {
            backlog.add("a", at("a" + i, T0.plusSeconds(i)));
            backlog.add("b", at("b" + i, T0.plusSeconds(i)));
        }
        final List<String> firsts = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            final List<String> now = new ArrayList<>();
            backlog.resume((t, head) -> true, (t, id) -> now.add(id), 1);
            firsts.add(now.get(0).substring(0, 1));
        }
        assertThat(firsts).as("one resume a round, a different target first each round").containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void shouldPutHigherPrioritiesFirstAndKeepArrivalOrderWithinOne() {
        backlog.add("a", SlotBacklog.Place.of("low-old", T0, Priority.LOW, 5));
        backlog.add("a", SlotBacklog.Place.of("normal", T0.plusSeconds(1), Priority.NORMAL, 7));
        backlog.add("a", SlotBacklog.Place.of("high-late", T0.plusSeconds(9), Priority.HIGH, 11));
        backlog.add("a", SlotBacklog.Place.of("high-early", T0.plusSeconds(3), Priority.HIGH, 13));
        assertThat(backlog.waiting("a")).containsExactly(2, 1, 1);
        assertThat(backlog.tokens("a")).containsExactly(24, 7, 5);
        final SlotBacklog.Place newLow = SlotBacklog.Place.of("new-low", T0.plusSeconds(20), Priority.LOW, 0);
        final SlotBacklog.Place newHigh = SlotBacklog.Place.of("new-high", T0.plusSeconds(20), Priority.HIGH, 0);
        assertThat(backlog.hasAhead("a", newLow)).as("a low request queues behind everyone").isTrue();
        assertThat(backlog.hasAhead("a", newHigh)).as("a high request queues behind the high ones only").isTrue();
        assertThat(backlog.hasAhead("a", SlotBacklog.Place.of("x", T0, Priority.HIGH, 0))).as("nobody before the oldest high").isFalse();
        backlog.resume((t, head) -> true, (t, id) -> resumed.add(id), 10);
        assertThat(resumed).containsExactly("high-early", "high-late", "normal", "low-old");
        assertThat(backlog.tokens("a")).containsExactly(0, 0, 0);
    }

    @Test
    void shouldForgetARemovedRequestAndItsTokens() {
        final SlotBacklog.Place p = SlotBacklog.Place.of("r", T0, Priority.NORMAL, 40);
        backlog.add("a", p);
        backlog.remove("a", p);
        backlog.remove("a", p); // twice: nothing more to take away
        assertThat(backlog.waiting("a")).containsExactly(0, 0, 0);
        assertThat(backlog.tokens("a")).containsExactly(0, 0, 0);
        assertThat(backlog.size()).isZero();
    }

    @Test
    void shouldLetAResumedRequestParkAgainAtItsOwnPlace() {
        backlog.add("a", at("r1", T0));
        backlog.add("a", at("r2", T0.plusSeconds(1)));
        backlog.resume((t, head) -> true, (t, id) -> {
            resumed.add(id);
            if (id.equals("r1") && resumed.size() == 1) {
                backlog.add("a", at("r1", T0)); // its call found no room after all
            }
        }, 3);
        assertThat(resumed).containsExactly("r1", "r1", "r2");
    }
}
