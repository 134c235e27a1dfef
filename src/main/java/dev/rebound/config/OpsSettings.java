package dev.rebound.config;

/**
 * The HTTP ops endpoint ({@code /metrics}, {@code /health/live}, {@code /health/ready}).
 *
 * @param bind    the address to listen on (default 127.0.0.1: metrics are not for the internet)
 * @param port    the port, 0 for a free one (default 8079)
 * @param enabled default true
 */
public record OpsSettings(String bind, int port, boolean enabled) {

    public static final OpsSettings DEFAULT = new OpsSettings("127.0.0.1", 8079, true);

    public OpsSettings {
        if (bind == null || bind.isBlank()) {
            throw new ConfigException("ops.bind", "must be an address such as 127.0.0.1");
        }
        if (port < 0 || port > 65_535) {
            throw new ConfigException("ops.port", "must be between 0 and 65535, was " + port);
        }
    }
}
