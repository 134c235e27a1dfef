package dev.rebound.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.rebound.request.Json;

import java.io.IOException;

/**
 * The simulator's {@code /scenario}: {@code GET} names the scenario it plays and what a call
 * meets; {@code POST} (or {@code PUT}) {@code {"scenario": "outage"}} switches to another while it
 * runs ({@link Simulator#switchTo}). An unknown name is a 400 that lists the choices.
 * {@code rebound simulate-set} is the command-line side.
 */
final class ScenarioEndpoint implements HttpHandler {

    private final Simulator sim;

    ScenarioEndpoint(final Simulator sim) {
        this.sim = sim;
    }

    @Override
    public void handle(final HttpExchange ex) throws IOException {
        try (ex) {
            switch (ex.getRequestMethod()) {
                case "GET" -> SimExchanges.send(ex, 200, describe(sim.scenario()));
                case "POST", "PUT" -> {
                    final String name = SimExchanges.readBody(ex.getRequestBody()).path("scenario").asText("");
                    if (!SimScenario.NAMES.contains(name)) {
                        SimExchanges.send(ex, 400, Json.MAPPER.createObjectNode()
                                .put("error", "'scenario' must be one of " + SimScenario.NAMES + ", was '" + name + "'").toString());
                        return;
                    }
                    sim.switchTo(SimScenario.named(name));
                    SimExchanges.send(ex, 200, describe(sim.scenario()));
                }
                default -> ex.sendResponseHeaders(405, -1);
            }
        }
    }

    /** {@code {"scenario": NAME, "perCall": "503 10%, ..."}}. */
    private static String describe(final SimScenario s) {
        return Json.MAPPER.createObjectNode().put("scenario", s.name()).put("perCall", s.describe()).toString();
    }
}
