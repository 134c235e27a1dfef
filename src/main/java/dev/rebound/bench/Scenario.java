package dev.rebound.bench;

import java.util.Map;

/** One benchmark scenario of DESIGN §10: its name, what it compares, and the figures it measures. */
interface Scenario {

    String name();

    /** One line for the table: what was set up. */
    String setup();

    /** Runs the scenario on the shared broker; returns its figures, named exactly as DESIGN §10 names them. */
    Map<String, Object> run(BenchContext ctx) throws Exception;
}
