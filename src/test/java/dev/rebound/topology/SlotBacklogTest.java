package dev.rebound.topology;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parked requests of one task: oldest first per target, resumed only while there is room, every target served. */
class SlotBacklogTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private final SlotBacklog backlog = new SlotBacklog();
    private final List<String> resumed = new ArrayList<>();

    @Test
    void shouldResumeTheOldestRequestFirstWhateverOrderTheyWereParkedIn() {
        backlog.add("a", "late", T0.plusSeconds(5));
        backlog.add("a", "early", T0);
        backlog.add("a", "middle", T0.plusSeconds(2));
        backlog.add("a", "early", T0); // parked again: keeps its place, is not there twice
        backlog.resume(t -> true, (t, id) -> resumed.add(id), 10);
        assertThat(resumed).containsExactly("early", "middle", "late");
        assertThat(backlog.has("a")).isFalse();
        assertThat(backlog.size()).isZero();
    }

    @Test
    void shouldStopResumingATargetAsSoonAsItsLineIsFullAndAtTheBoundInAll() {
        for (int i = 0; i < 5; i++) {
            backlog.add("a", "a" + i, T0.plusSeconds(i));
            backlog.add("b", "b" + i, T0.plusSeconds(i));
        }
        final Map<String, Integer> room = new HashMap<>(Map.of("a", 2, "b", 10));
        backlog.resume(t -> room.get(t) > 0, (t, id) -> {
            room.merge(t, -1, Integer::sum);
            resumed.add(id);
        }, 4);
        assertThat(resumed).hasSize(4);
        assertThat(resumed.stream().filter(id -> id.startsWith("a"))).as("a's line took two").containsExactly("a0", "a1");
        assertThat(backlog.size()).isEqualTo(6);
        assertThat(backlog.has("a")).isTrue();
    }

    @Test
    void shouldStartWithAnotherTargetEachTimeSoThatABusyOneCannotTakeEveryResume() {
        for (int i = 0; i < 10; i++) {
            backlog.add("a", "a" + i, T0.plusSeconds(i));
            backlog.add("b", "b" + i, T0.plusSeconds(i));
        }
        final List<String> firsts = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            final List<String> now = new ArrayList<>();
            backlog.resume(t -> true, (t, id) -> now.add(id), 1);
            firsts.add(now.get(0).substring(0, 1));
        }
        assertThat(firsts).as("one resume a round, a different target first each round").containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void shouldLetAResumedRequestParkAgainAtItsOwnPlace() {
        backlog.add("a", "r1", T0);
        backlog.add("a", "r2", T0.plusSeconds(1));
        backlog.resume(t -> true, (t, id) -> {
            resumed.add(id);
            if (id.equals("r1") && resumed.size() == 1) {
                backlog.add("a", "r1", T0); // its call found no room after all
            }
        }, 3);
        assertThat(resumed).containsExactly("r1", "r1", "r2");
    }
}
