package dev.rebound.ops;

import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpsServerTest {

    @Test
    void shouldNameTheAddressThePortAndTheSettingsWhenTheOpsPortIsTaken() throws Exception {
        // given a port another program listens on
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final int port = taken.getLocalPort();

            // when / then
            assertThatThrownBy(() -> OpsServer.bind("127.0.0.1", port))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
                    .hasMessageContaining("ops.port")
                    .hasMessageContaining("ops.enabled: false")
                    .hasCauseInstanceOf(BindException.class);
        }
    }

    @Test
    void shouldGiveThePortBackWhenClosedBeforeServing() throws Exception {
        // given a free port taken by bind (as run does before the cluster is asked anything)
        final int port;
        try (OpsServer ops = OpsServer.bind("127.0.0.1", 0)) {
            port = ops.port();
            assertThat(port).isPositive();
        }

        // when closed without ever serving, then the port is free again
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
