package io.clearhouse.node.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One Clearhouse node in a JVM of its own, started by the local runner or by tests.
 *
 * <p>The child's stdin is a pipe this process holds open and never writes; the node exits when it
 * reads EOF ({@code CLEARHOUSE_EXIT_WITH_PARENT}), so a node never outlives its parent, even when
 * the parent is killed with SIGKILL and no shutdown hook runs.
 */
public final class NodeProcess implements AutoCloseable {
  /**
   * How to start a node.
   *
   * @param name a label for logs ("node-1")
   * @param distJar {@code modules/node/target/dist/clearhouse-node-dist.jar}
   * @param configFile the HOCON file passed as {@code -Dconfig.file}
   * @param logbackFile the logback configuration
   * @param env environment overrides (ports, seed nodes, Cassandra contact points)
   * @param logFile where stdout and stderr go
   * @param heap the JVM's -Xmx, e.g. "384m"
   */
  public record Spec(
      String name,
      Path distJar,
      Path configFile,
      Path logbackFile,
      Map<String, String> env,
      Path logFile,
      String heap) {
    public Spec {
      Objects.requireNonNull(name);
      Objects.requireNonNull(distJar);
      Objects.requireNonNull(configFile);
      Objects.requireNonNull(logbackFile);
      env = Map.copyOf(env);
      Objects.requireNonNull(logFile);
      Objects.requireNonNull(heap);
    }
  }

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Spec spec;
  private final Process process;
  private final int httpPort;

  private NodeProcess(Spec spec, Process process, int httpPort) {
    this.spec = spec;
    this.process = process;
    this.httpPort = httpPort;
  }

  /** Starts the node's JVM; it is not ready until {@link #awaitReady} says so. */
  public static NodeProcess start(Spec spec, int httpPort) throws IOException {
    if (!Files.isRegularFile(spec.distJar())) {
      throw new IOException(
          "node distribution missing: "
              + spec.distJar()
              + " (build with: mvn -DskipTests package)");
    }
    Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + spec.heap());
    command.add("-XX:+UseG1GC");
    command.add("-Dconfig.file=" + spec.configFile().toAbsolutePath());
    command.add("-Dlogback.configurationFile=" + spec.logbackFile().toAbsolutePath());
    command.add("-jar");
    command.add(spec.distJar().toAbsolutePath().toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(spec.env());
    builder.environment().put("CLEARHOUSE_EXIT_WITH_PARENT", "true");
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    NodeProcess node = new NodeProcess(spec, process, httpPort);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, spec.name() + "-stopper"));
    return node;
  }

  /** Polls {@code /health/ready} until the node is an Up member serving HTTP, or times out. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // Not listening yet; try again shortly.
      }
      Thread.sleep(250);
    }
    return false;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public String name() {
    return spec.name();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path logFile() {
    return spec.logFile();
  }

  /** Resident memory from /proc, if this is Linux and the process lives. */
  public OptionalLong rssBytes() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring("VmRSS:".length()).replace("kB", "").strip();
          return OptionalLong.of(Long.parseLong(kb) * 1024);
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // The process ended or this is not Linux: no reading.
    }
    return OptionalLong.empty();
  }

  /** SIGKILL: the crash case, no shutdown hook and no graceful leave. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** SIGTERM (coordinated shutdown), then SIGKILL if it has not exited in time. */
  public boolean stop() {
    if (!process.isAlive()) {
      return true;
    }
    process.destroy();
    try {
      if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        return true;
      }
      process.destroyForcibly();
      process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    return false;
  }

  @Override
  public void close() {
    stop();
  }
}
