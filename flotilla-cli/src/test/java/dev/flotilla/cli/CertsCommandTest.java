package dev.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.transport.security.PemFiles;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flotilla certs generate}: the files it writes, and that gRPC (netty, JDK provider) takes them as they are:
 * a client trusting the CA connects, one trusting another CA is refused, and with client authentication required
 * only a client presenting a certificate of the CA gets through.
 */
class CertsCommandTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
  private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("flotilla.test.Echo/Echo")
      .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();

  @TempDir
  Path dir;

  @Test
  void writesACaAndAServerCertificateForEveryHost() throws Exception {
    CommandOutput run = CommandOutput.run("certs", "generate", "--out", dir.toString(),
        "--host", "fl.example.org", "--host", "10.1.2.3", "--days", "30", "--client", "site-1");

    assertThat(run.code()).as(run.err()).isZero();
    for (String key : List.of("ca-key.pem", "server-key.pem", "client-site-1-key.pem")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key)))).isEqualTo("rw-------");
    }
    X509Certificate ca = PemFiles.readCertificates(dir.resolve("ca.pem")).get(0);
    X509Certificate server = PemFiles.readCertificates(dir.resolve("server.pem")).get(0);
    assertThat(ca.getBasicConstraints()).isZero();
    server.verify(ca.getPublicKey());
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))))
        .containsExactly("127.0.0.1", "localhost", "fl.example.org", "10.1.2.3");
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(Duration.between(Instant.now(), server.getNotAfter().toInstant()).toDays()).isEqualTo(29);
    X509Certificate client = PemFiles.readCertificates(dir.resolve("client-site-1.pem")).get(0);
    client.verify(ca.getPublicKey());
    assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=site-1");
    assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // clientAuth
    assertThat(run.out()).contains("server.pem, server-key.pem").contains("127.0.0.1, localhost, fl.example.org");
  }

  @Test
  void grpcAcceptsTheCertificatesAndRefusesStrangers() throws Exception {
    assertThat(CommandOutput.run("certs", "generate", "--out", dir.toString(), "--client", "site-1").code()).isZero();
    assertThat(CommandOutput.run("certs", "generate", "--out", dir.resolve("other").toString()).code()).isZero();
    SslContext server = GrpcSslContexts.configure(
        SslContextBuilder.forServer(file("server.pem"), file("server-key.pem")), SslProvider.JDK).build();

    Server echo = start(server);
    try {
      assertThat(call(echo, clientTrusting("ca.pem").build(), "127.0.0.1")).isEqualTo(HELLO);
      assertThat(call(echo, clientTrusting("ca.pem").build(), "localhost")).isEqualTo(HELLO);
      assertThatThrownBy(() -> call(echo, clientTrusting("other/ca.pem").build(), "127.0.0.1"))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      echo.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void withClientAuthRequiredOnlyAClientWithACertificateOfTheCaGetsThrough() throws Exception {
    assertThat(CommandOutput.run("certs", "generate", "--out", dir.toString(), "--client", "site-1").code()).isZero();
    SslContext server = GrpcSslContexts.configure(
        SslContextBuilder.forServer(file("server.pem"), file("server-key.pem")), SslProvider.JDK)
        .trustManager(file("ca.pem")).clientAuth(ClientAuth.REQUIRE).build();

    Server echo = start(server);
    try {
      SslContext withCertificate = clientTrusting("ca.pem")
          .keyManager(file("client-site-1.pem"), file("client-site-1-key.pem")).build();
      assertThat(call(echo, withCertificate, "127.0.0.1")).isEqualTo(HELLO);
      assertThatThrownBy(() -> call(echo, clientTrusting("ca.pem").build(), "127.0.0.1"))
          .isInstanceOf(StatusRuntimeException.class);
    } finally {
      echo.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void existingFilesAndBadOptionsGetOneLine() throws Exception {
    Files.writeString(dir.resolve("server.pem"), "precious");
    assertOneLineError(CommandOutput.run("certs", "generate", "--out", dir.toString()),
        "flotilla certs generate: " + dir.resolve("server.pem") + " already exists");
    assertThat(dir.resolve("ca.pem")).doesNotExist();
    assertOneLineError(CommandOutput.run("certs", "generate", "--out", dir.resolve("a").toString(), "--host",
        "not a host"), "host 'not a host' is neither an IP address nor a DNS name");
    assertOneLineError(CommandOutput.run("certs", "generate", "--out", dir.resolve("b").toString(), "--days", "0"),
        "--days must be at least 1");
    assertOneLineError(CommandOutput.run("certs", "generate", "--out", dir.resolve("c").toString(), "--client",
        "../x"), "--client '../x' must be");
  }

  private static void assertOneLineError(CommandOutput run, String message) {
    assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
    assertThat(run.err()).contains(message).doesNotContain("\tat ");
  }

  private java.io.File file(String name) {
    return dir.resolve(name).toFile();
  }

  private SslContextBuilder clientTrusting(String ca) {
    return GrpcSslContexts.configure(SslContextBuilder.forClient().trustManager(file(ca)), SslProvider.JDK);
  }

  private static Server start(SslContext context) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("flotilla.test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(request);
          reply.onCompleted();
        })).build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).sslContext(context)
        .addService(service).build().start();
  }

  private static byte[] call(Server server, SslContext context, String host) {
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, server.getPort()).sslContext(context).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          HELLO);
    } finally {
      channel.shutdownNow();
    }
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
