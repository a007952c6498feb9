package io.clearhouse.cassandra;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Cassandra server in its own JVM, started from the {@code cassandra-dev}
 * distribution ({@code modules/cassandra-dev/target/dist}).
 *
 * <p>It never outlives its parent: the child's stdin is a pipe that this JVM holds open and never
 * writes; the child exits cleanly when the pipe reaches EOF, which also happens when this JVM is
 * killed with {@code kill -9}. A shutdown hook stops it on an ordinary exit as well.
 *
 * <p>This class uses no Cassandra class: clients depend on this module with every transitive
 * dependency excluded.
 *
 * <pre>{@code
 * try (CassandraProcess cassandra = CassandraProcess.builder().dataDir(dir).testMode(true).build()) {
 *   cassandra.start();
 *   connect(cassandra.contactPoint());
 * }
 * }</pre>
 */
public final class CassandraProcess implements AutoCloseable {

  /** The line Cassandra logs once its CQL port is open. */
  static final String READY_LINE = "Starting listening for CQL clients";

  /** The host every server here binds to: loopback only. */
  public static final String HOST = "127.0.0.1";

  /** The data center name that SimpleSnitch reports. */
  public static final String DATACENTER = "datacenter1";

  private final Builder config;
  private final Path dataDir;
  private final Path consoleLog;
  private int nativePort;
  private int storagePort;
  private Process process;
  private OutputStream stdinPipe;
  private Thread shutdownHook;
  private Duration startDuration;
  private ClassDataSharing cds;

  private CassandraProcess(Builder config) {
    this.config = config;
    this.dataDir = config.dataDir.toAbsolutePath().normalize();
    this.consoleLog =
        config.logFile != null
            ? config.logFile.toAbsolutePath().normalize()
            : dataDir.resolve("logs").resolve("console.log");
    this.nativePort = config.nativePort;
    this.storagePort = config.storagePort;
  }

  /**
   * A builder with the defaults: test mode off, 512m heap, free ports, a 120 s start timeout.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Launches the server JVM and waits until it serves CQL.
   *
   * @return this, started
   * @throws IOException if the process cannot be launched or its files cannot be written
   * @throws IllegalStateException if it dies or is not ready within the start timeout; the message
   *     holds the tail of its logs, and the process is stopped
   */
  public synchronized CassandraProcess start() throws IOException {
    if (process != null) {
      throw new IllegalStateException("already started");
    }
    pickFreePortsIfUnset();
    Files.createDirectories(dataDir.resolve("logs"));
    Files.createDirectories(consoleLog.getParent());
    Path systemLog = systemLog();
    long logOffset = Files.exists(systemLog) ? Files.size(systemLog) : 0;
    long started = System.nanoTime();
    launch();
    try {
      awaitReady(systemLog, logOffset, started);
    } catch (RuntimeException | IOException e) {
      stop();
      throw e;
    }
    startDuration = Duration.ofNanos(System.nanoTime() - started);
    return this;
  }

  private void launch() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command())
            .directory(dataDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()))
            // A pipe we keep open for the child's whole life: its EOF tells the child we are gone.
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      process = pb.start();
    } catch (IOException e) {
      cds.afterExit(false); // release the recording lock of a JVM that never ran
      throw e;
    }
    stdinPipe = process.getOutputStream();
    shutdownHook = new Thread(this::stopQuietly, "cassandra-process-stopper-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The command line: [setpriv … prlimit …] java flags -jar launcher options. */
  List<String> command() {
    Path java = JavaLocator.locate();
    Path launcher = DistLocator.launcherJar(config.distDir);
    cds = ClassDataSharing.plan(config.distDir, java, launcher);
    List<String> cmd = new ArrayList<>(rootMlockWorkaround());
    cmd.add(java.toString());
    cmd.addAll(cds.jvmArgs());
    cmd.add("-Xms" + config.heap);
    cmd.add("-Xmx" + config.heap);
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
    // Fail fast instead of limping on: a test or a developer then sees the error at once.
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.addAll(config.jvmArgs);
    cmd.add("-jar");
    cmd.add(launcher.toString());
    cmd.add("--data-dir=" + dataDir);
    cmd.add("--native-port=" + nativePort);
    cmd.add("--storage-port=" + storagePort);
    cmd.add("--cluster-name=" + config.clusterName);
    cmd.add("--test-mode=" + config.testMode);
    if (config.commitlogSync != null) {
      cmd.add("--commitlog-sync=" + config.commitlogSync);
    }
    return cmd;
  }

  /**
   * As root, Cassandra always calls {@code mlockall}, which pins its whole address space (RSS about
   * 920 MB at a 512m heap). Dropping CAP_IPC_LOCK and capping RLIMIT_MEMLOCK makes that call fail
   * harmlessly. Both tools exec the next command, so the pid stays the JVM's.
   */
  private static List<String> rootMlockWorkaround() {
    Path setpriv = onPath("setpriv");
    Path prlimit = onPath("prlimit");
    if (!ProcStatus.isRoot() || setpriv == null || prlimit == null) {
      return List.of();
    }
    return List.of(
        setpriv.toString(),
        "--inh-caps=-ipc_lock",
        "--bounding-set=-ipc_lock",
        prlimit.toString(),
        "--memlock=65536");
  }

  private static Path onPath(String tool) {
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin");
    for (String dir : (path + ":/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private void awaitReady(Path systemLog, long logOffset, long startedNanos) throws IOException {
    long deadline = startedNanos + config.startTimeout.toNanos();
    LogWatcher watcher = new LogWatcher(systemLog, logOffset, READY_LINE);
    while (!(watcher.seen() && portAccepts())) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Cassandra exited with code " + process.exitValue() + " before it was ready" + tails());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Cassandra not ready within " + config.startTimeout + tails());
      }
      sleep(Duration.ofMillis(100));
    }
  }

  private boolean portAccepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, nativePort), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String tails() {
    return "\n--- tail of "
        + consoleLog
        + " ---\n"
        + LogWatcher.tail(consoleLog, 40)
        + "\n--- tail of "
        + systemLog()
        + " ---\n"
        + LogWatcher.tail(systemLog(), 40);
  }

  /**
   * Stops the server: SIGTERM first, so Cassandra drains and its shutdown hook runs; after the stop
   * timeout, SIGKILL. Idempotent.
   *
   * @return how the process ended, or {@code null} if it was never started
   */
  public synchronized StopResult stop() {
    if (process == null) {
      return null;
    }
    removeShutdownHook();
    long begin = System.nanoTime();
    process.destroy();
    boolean forced = !waitFor(config.stopTimeout);
    if (forced) {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(10));
    }
    closeStdin();
    // Only a server that got up and then exited by itself recorded every class it needs.
    cds.afterExit(startDuration != null && !forced && !process.isAlive());
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    return new StopResult(took, forced, process.isAlive() ? -1 : process.exitValue());
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      // Called from a shutdown hook: nothing sensible to do but let the JVM finish exiting.
    }
  }

  private void removeShutdownHook() {
    if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs (or ran) stop() itself.
    }
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private void closeStdin() {
    try {
      stdinPipe.close();
    } catch (IOException e) {
      // The child is gone already; nothing to release.
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** The host the server listens on ({@value #HOST}). */
  public String host() {
    return HOST;
  }

  /** The CQL port. */
  public int nativePort() {
    return nativePort;
  }

  /** The internode (storage) port. */
  public int storagePort() {
    return storagePort;
  }

  /** The contact point for the java driver. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(HOST, nativePort);
  }

  /** The data center the driver must name as local ({@value #DATACENTER}, from SimpleSnitch). */
  public String datacenter() {
    return DATACENTER;
  }

  /** The server JVM's pid. */
  public long pid() {
    return requireStarted().pid();
  }

  /** Whether the server JVM still runs. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The server JVM's resident set size in bytes, empty if unknown. */
  public OptionalLong rssBytes() {
    return ProcStatus.rssBytes(pid());
  }

  /** From launch to serving CQL; {@code null} before a successful {@link #start()}. */
  public Duration startDuration() {
    return startDuration;
  }

  /** The data directory (data, commit log, generated configuration, logs). */
  public Path dataDir() {
    return dataDir;
  }

  /** Cassandra's INFO log, {@code <dataDir>/logs/system.log}. */
  public Path systemLog() {
    return dataDir.resolve("logs").resolve("system.log");
  }

  /** Where the server JVM's stdout and stderr go (WARN and above, and JVM errors). */
  public Path consoleLog() {
    return consoleLog;
  }

  private Process requireStarted() {
    if (process == null) {
      throw new IllegalStateException("not started");
    }
    return process;
  }

  private void pickFreePortsIfUnset() throws IOException {
    if (nativePort != 0 && storagePort != 0) {
      return;
    }
    // Both sockets are open at once, so the two ports differ.
    try (ServerSocket a = freeSocket();
        ServerSocket b = freeSocket()) {
      nativePort = nativePort != 0 ? nativePort : a.getLocalPort();
      storagePort = storagePort != 0 ? storagePort : b.getLocalPort();
    }
  }

  private static ServerSocket freeSocket() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(false);
    socket.bind(new InetSocketAddress(HOST, 0));
    return socket;
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return "CassandraProcess[" + HOST + ":" + nativePort + ", " + dataDir + "]";
  }

  /**
   * How a stop ended.
   *
   * @param duration from SIGTERM to exit
   * @param forced whether SIGKILL was needed
   * @param exitCode the JVM's exit code (143 after a SIGTERM), -1 if it still runs
   */
  public record StopResult(Duration duration, boolean forced, int exitCode) {}

  /** Options of a {@link CassandraProcess}. */
  public static final class Builder {
    private Path distDir;
    private Path dataDir;
    private Path logFile;
    private int nativePort;
    private int storagePort;
    private String heap = "512m";
    private boolean testMode;
    private String commitlogSync;
    private String clusterName = "clearhouse-dev";
    private Duration startTimeout = Duration.ofSeconds(120);
    private Duration stopTimeout = Duration.ofSeconds(30);
    private List<String> jvmArgs = List.of();

    private Builder() {}

    /**
     * The distribution directory (launcher jar and {@code lib/}). Default: system property {@code
     * clearhouse.cassandra.dist}, else {@code modules/cassandra-dev/target/dist} found upward from
     * the working directory.
     */
    public Builder distDir(Path distDir) {
      this.distDir = distDir;
      return this;
    }

    /** Required: the data directory; created if missing, reused (a restart) if present. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Where the JVM's stdout/stderr go. Default {@code <dataDir>/logs/console.log}. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** The CQL port; 0 (the default) picks a free one on 127.0.0.1. */
    public Builder nativePort(int nativePort) {
      this.nativePort = checkPort(nativePort);
      return this;
    }

    /** The internode port; 0 (the default) picks a free one on 127.0.0.1. */
    public Builder storagePort(int storagePort) {
      this.storagePort = checkPort(storagePort);
      return this;
    }

    /** Heap size as a JVM size ({@code 512m}, {@code 1g}); used for both -Xms and -Xmx. */
    public Builder heap(String heap) {
      if (!heap.matches("\\d+[kKmMgG]?")) {
        throw new IllegalArgumentException("not a JVM size: " + heap);
      }
      this.heap = heap;
      return this;
    }

    /**
     * Test mode: no fsync at all ({@code cassandra.skip_sync}), no gossip settling wait, periodic
     * commit log. Never for data that matters.
     */
    public Builder testMode(boolean testMode) {
      this.testMode = testMode;
      return this;
    }

    /**
     * {@code group}, {@code batch} or {@code periodic}; default {@code group} (5 ms window), or
     * {@code periodic} in test mode.
     */
    public Builder commitlogSync(String commitlogSync) {
      this.commitlogSync = commitlogSync;
      return this;
    }

    /** Cassandra's cluster name; default {@code clearhouse-dev}. */
    public Builder clusterName(String clusterName) {
      this.clusterName = Objects.requireNonNull(clusterName);
      return this;
    }

    /** Extra JVM options (GC flags, say), placed after the defaults so they win. */
    public Builder jvmArgs(List<String> jvmArgs) {
      this.jvmArgs = List.copyOf(jvmArgs);
      return this;
    }

    /** Bound on launch-to-ready; default 120 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout);
      return this;
    }

    /** Bound on SIGTERM-to-exit before SIGKILL; default 30 s. */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = Objects.requireNonNull(stopTimeout);
      return this;
    }

    /**
     * Validates and builds; nothing is launched until {@link CassandraProcess#start()}.
     *
     * @return an unstarted process
     */
    public CassandraProcess build() {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      if (distDir == null) {
        distDir = DistLocator.locate();
      }
      return new CassandraProcess(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
