package dev.flotilla.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerSecurityTest {
  @Test
  void plaintextIsAllowedOnLoopbackOnly() {
    ServerSecurity plaintext = ServerSecurity.plaintext();

    assertThatCode(() -> plaintext.checkListening("127.0.0.1")).doesNotThrowAnyException();
    assertThatCode(() -> plaintext.checkListening("localhost")).doesNotThrowAnyException();
    assertThatCode(() -> plaintext.checkListening("::1")).doesNotThrowAnyException();
    assertThatThrownBy(() -> plaintext.checkListening("0.0.0.0")).isInstanceOf(FlotillaException.class)
        .hasMessageContaining("refusing to listen on 0.0.0.0 without TLS").hasMessageContaining("--insecure")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> plaintext.checkListening("192.0.2.10")).isInstanceOf(FlotillaException.class);
  }

  @Test
  void insecureOrTlsAllowsAnyAddress() {
    assertThatCode(() -> ServerSecurity.plaintext().allowingInsecure().checkListening("0.0.0.0"))
        .doesNotThrowAnyException();
    ServerSecurity tls = ServerSecurity.plaintext()
        .withTls(dev.flotilla.transport.security.ServerTls.of(Path.of("server.pem"), Path.of("server-key.pem")));
    assertThatCode(() -> tls.checkListening("0.0.0.0")).doesNotThrowAnyException();
  }

  @Test
  void theServerRefusesToStartInPlaintextOnEveryInterface() {
    assertThatThrownBy(() -> FlotillaServer.start(ServerSettings.builder().host("0.0.0.0").port(0).build()))
        .isInstanceOf(FlotillaException.class).hasMessageContaining("without TLS");
  }
}
