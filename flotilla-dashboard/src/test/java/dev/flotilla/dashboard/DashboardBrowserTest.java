package dev.flotilla.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Sampling;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.testing.FakeClientApp;
import dev.flotilla.core.testing.TestModels;
import dev.flotilla.server.FlotillaServer;
import dev.flotilla.server.ServerSettings;
import dev.flotilla.workflow.RunSummary;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.SyncWorkflow;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard of a real run, seen in headless Chromium: three clients over gRPC on 127.0.0.1 train three rounds;
 * round 3 waits until the test lets it go. The page must chart the rounds that completed, show a client that
 * disconnects as disconnected and its failure, end as finished, show the privacy spent, and log no error in the
 * browser's console.
 * Needs Debian's {@code chromium} and {@code chromium-driver} (installed by {@code .ci/run}); nothing is downloaded.
 */
@Timeout(180)
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final CountDownLatch releaseRoundThree = new CountDownLatch(1);
  private final List<FlotillaClient> clients = new ArrayList<>();
  private FlotillaServer server;
  private Dashboard dashboard;
  private WebDriver browser;

  @BeforeEach
  void start() {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("headless browser tests need Debian's chromium and chromium-driver:"
            + " apt-get install -y chromium chromium-driver").isTrue();
    server = FlotillaServer.start(ServerSettings.builder().host("127.0.0.1").port(0).build());
    dashboard = Dashboard.start(DashboardSettings.onLoopback(0));
  }

  @AfterEach
  void stop() {
    releaseRoundThree.countDown();
    if (browser != null) {
      browser.quit();
    }
    clients.forEach(FlotillaClient::close);
    if (dashboard != null) {
      dashboard.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void thePageChartsTheRoundsLiveShowsADisconnectedClientAndLogsNoError() throws Exception {
    for (String id : List.of("c0", "c1", "c2")) {
      startClient(id);
    }
    CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(this::runThreeRounds);

    browser = chromium();
    browser.get(dashboard.url().orElseThrow());
    // The page replaces its rows and cards on every update, so an element found a moment ago may be gone: look again.
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    // rounds 1 and 2 complete while round 3 waits: the chart shows them, with an accuracy for each
    wait.until(b -> chartRounds().equals(List.of(1L, 2L)));
    assertThat(script("return Chart.getChart('quality-chart').data.datasets[0].data.length;")).isEqualTo(2L);
    assertThat(script("return Chart.getChart('quality-chart').data.datasets[0].data.every(v => v > 0 && v <= 1);"))
        .isEqualTo(true);
    assertThat(script("return Chart.getChart('bytes-chart').data.datasets[0].data.every(v => v > 0);"))
        .isEqualTo(true);
    assertThat(text("status")).isEqualTo("running");
    assertThat(text("connected")).isEqualTo("3");
    assertThat(clientAttribute("c2", "data-connected")).isEqualTo("true");

    // c2 leaves in the middle of round 3
    clients.get(2).close();
    wait.until(b -> "false".equals(clientRow("c2").getAttribute("data-connected")));
    assertThat(clientCell("c2", "connection")).isEqualTo("disconnected");
    assertThat(clientAttribute("c0", "data-connected")).isEqualTo("true");
    assertThat(text("connected")).isEqualTo("2");

    releaseRoundThree.countDown();
    RunSummary summary = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(summary.records()).hasSize(3);
    assertThat(summary.records().get(2).clientsFailed()).isEqualTo(1);
    wait.until(b -> "finished".equals(text("status")) && chartRounds().equals(List.of(1L, 2L, 3L)));
    wait.until(b -> {
      String failures = b.findElement(By.id("failures")).getText();
      return failures.contains("c2") && failures.contains("DISCONNECTED");
    });
    assertThat(text("round")).isEqualTo("3 / 3");
    // the privacy the strategy reports: the card and the chart of epsilon per round
    assertThat(fresh(() -> browser.findElement(By.id("privacy")).isDisplayed())).isTrue();
    assertThat(text("epsilon")).isEqualTo("ε 1.500");
    assertThat(script("return Chart.getChart('privacy-chart').data.datasets[0].data.join(' ');"))
        .isEqualTo("0.5 1 1.5");

    saveScreenshot();
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(errors).as("errors in the browser console").isEmpty();
  }

  private RunSummary runThreeRounds() {
    ModelWeights initial = TestModels.small();
    FedAvg fedAvg = new FedAvg(FedAvg.Settings.builder().evaluate(new Sampling(0, 0))
        // an accuracy that rises with the model's first value, so that each round has its own point
        .centralEvaluator(m -> new EvaluateResult(1.0 / (1 + m.get(0).get(0)), 100,
            Metrics.of("accuracy", Math.min(1.0, 0.1 * m.get(0).get(0)))))
        .build());
    SyncSettings sync = SyncSettings.builder().rounds(3).minClients(3).minFitClients(1)
        .roundTimeout(Duration.ofSeconds(60)).evaluateInitial(false).build();
    dashboard.runStarted(server.registry(), "FedAvg, test model, 3 rounds", 3, 3);
    Strategy observed = dashboard.observe(new ReportingEpsilon(fedAvg));
    try {
      RunSummary summary = new SyncWorkflow(server.registry(), sync).run(observed, initial, dashboard);
      dashboard.runFinished(observed.stopReason());
      return summary;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      dashboard.runFailed(e);
      throw new IllegalStateException(e);
    }
  }

  /** Reports {@code epsilon} 0.5 per round, as a differentially private strategy reports the privacy it spent. */
  private static final class ReportingEpsilon extends ForwardingStrategy {
    ReportingEpsilon(Strategy inner) {
      super(inner);
    }

    @Override
    public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
      return inner.aggregateTrain(ctx, global, results)
          .withMetrics(Metrics.of("epsilon", 0.5 * ctx.round(), "delta", 1e-5));
    }
  }

  /** A client whose training adds 1 to the model; in round 3 it first waits until the test lets it go. */
  private void startClient(String id) {
    FakeClientApp app = FakeClientApp.training((TrainInstructions ins) -> {
      if (ins.config().getInt("round", 0) == 3) {
        try {
          if (!releaseRoundThree.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("round 3 was never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return new TrainResult(TestModels.plus(ins.model(), 1), 10, Metrics.of("train_loss", 0.5));
    });
    FlotillaClient client = new FlotillaClient(ClientSettings.builder("127.0.0.1:" + server.port(), id)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).build(), app);
    Thread t = new Thread(() -> {
      try {
        client.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "test-client-" + id);
    t.setDaemon(true);
    t.start();
    clients.add(client);
  }

  /** Headless Chromium through Debian's chromedriver, keeping the console log. */
  private static WebDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1200");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  @SuppressWarnings("unchecked")
  private List<Long> chartRounds() {
    Object labels = script("const c = window.Chart && Chart.getChart('quality-chart');"
        + " return c ? c.data.labels : [];");
    return (List<Long>) labels;
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  private String text(String id) {
    return fresh(() -> browser.findElement(By.id(id)).getText());
  }

  private WebElement clientRow(String id) {
    return browser.findElement(By.cssSelector("#clients tr[data-client-id='" + id + "']"));
  }

  /** Client {@code id}'s row's attribute {@code name}, found afresh. */
  private String clientAttribute(String id, String name) {
    return fresh(() -> clientRow(id).getAttribute(name));
  }

  /** Client {@code id}'s cell of class {@code cell}, read afresh. */
  private String clientCell(String id, String cell) {
    return fresh(() -> clientRow(id).findElement(By.cssSelector("td." + cell)).getText());
  }

  /**
   * What {@code read} gives, read again when the page replaced the element between finding and reading it (it
   * rebuilds rows and cards on every update); a few tries, then the stale reference fails the test.
   */
  private static <T> T fresh(Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (StaleElementReferenceException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private void saveScreenshot() throws Exception {
    Path png = Path.of("target", "dashboard-browser-test.png");
    Files.createDirectories(png.getParent());
    Files.write(png, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
