package dev.rebound.cli;

import dev.rebound.config.ConfigLoader;
import dev.rebound.config.OpsSettings;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The ops endpoint a command asks ({@code status}, {@code request}): {@code --ops}, else the one
 * of {@code --config} (its {@code ops.bind} and {@code ops.port}), else {@link #DEFAULT}; and a GET
 * on it whose failures name the setting that chose the address.
 *
 * @param base    e.g. {@code http://127.0.0.1:8079}
 * @param setting where {@code base} came from, for the messages
 */
record OpsAddress(String base, String setting) {

    static final String DEFAULT = "http://127.0.0.1:8079";

    /** @param serves what the endpoint is asked for, for the message when the configuration disables it */
    static OpsAddress of(final String ops, final Path config, final String serves) {
        if (ops != null) {
            return new OpsAddress(ops.endsWith("/") ? ops.substring(0, ops.length() - 1) : ops, "--ops");
        }
        if (config != null) {
            final OpsSettings settings = new ConfigLoader(System::getenv).load(config).ops();
            if (!settings.enabled()) {
                throw new IllegalStateException(config + " has ops.enabled: false, so its instances serve no " + serves + " to ask");
            }
            final String host = settings.bind().equals("0.0.0.0") || settings.bind().equals("::") ? "127.0.0.1" : settings.bind();
            return new OpsAddress("http://" + host + ":" + settings.port(), "ops.bind and ops.port in " + config);
        }
        return new OpsAddress(DEFAULT, "--ops or --config");
    }

    /** GET {@code path} (already encoded); a refused connection or no answer within 10 s is an error naming the address. */
    HttpResponse<String> get(final String path) throws java.io.IOException, InterruptedException {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (final ConnectException e) {
            throw new IllegalStateException("nothing answers at " + base + " (" + setting + "): is `rebound run` or `rebound dev` up "
                    + "with that ops endpoint?");
        } catch (final HttpTimeoutException e) {
            throw new IllegalStateException(base + " (" + setting + ") accepted the connection but did not answer within 10 s");
        }
    }
}
