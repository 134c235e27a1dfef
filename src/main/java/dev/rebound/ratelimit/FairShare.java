package dev.rebound.ratelimit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Max-min fair shares of a whole number of units: every claimant gets what it wants if all fit;
 * otherwise the smallest wants are met first and the rest is split evenly among the others, the
 * remainder going one by one in the map's order. Pure.
 */
final class FairShare {

    private FairShare() {
    }

    /** The share of each key of {@code wants} (each at most its want, together at most {@code capacity}). */
    static Map<String, Integer> of(final Map<String, Long> wants, final int capacity) {
        final Map<String, Integer> out = new LinkedHashMap<>();
        final List<Map.Entry<String, Long>> open = new ArrayList<>(wants.entrySet());
        open.sort(Comparator.comparingLong(Map.Entry::getValue));
        long left = Math.max(0, capacity);
        final List<String> capped = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            final long want = Math.max(0, open.get(i).getValue());
            if (capped.isEmpty() && want <= left / (open.size() - i)) {
                out.put(open.get(i).getKey(), (int) want);
                left -= want;
            } else {
                capped.add(open.get(i).getKey()); // sorted: every later want is larger still
            }
        }
        if (!capped.isEmpty()) {
            final long each = left / capped.size();
            long extra = left % capped.size();
            for (final String k : wants.keySet()) {
                if (capped.contains(k)) {
                    out.put(k, (int) (each + (extra-- > 0 ? 1 : 0)));
                }
            }
        }
        final Map<String, Integer> ordered = new LinkedHashMap<>();
        wants.keySet().forEach(k -> ordered.put(k, out.getOrDefault(k, 0)));
        return ordered;
    }
}
