package dev.rebound;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The arrows between Rebound's packages (STYLE.md, "A layout that shows the architecture"), checked on
 * the compiled main classes: one table of which package may use which, the purity of the decision
 * core, and no cycle between packages. A wrong import fails the build here instead of in a review.
 */
class ArchitectureTest {

    /**
     * Which of Rebound's packages each package may use (besides itself). Read bottom-up: the leaves
     * first, then the pure core, then what talks to Kafka and the network, then the commands.
     */
    private static final Map<String, Set<String>> ALLOWED = allowed();

    /** The decision core: a function of (input, state, now); no Kafka, no network, no I/O adapters. */
    private static final List<String> PURE = List.of(
            "time", "window", "classify", "config", "request", "recovery", "retry", "circuit", "fallback", "ratelimit", "balance", "lifecycle");

    private static final List<String> IMPURE_NEIGHBOURS = List.of(
            "metrics", "http", "execute", "topology", "app", "ops", "demo", "sim", "admin", "dlq", "bench", "cli");

    private static JavaClasses main;

    private static Map<String, Set<String>> allowed() {
        final Map<String, Set<String>> a = new LinkedHashMap<>();
        // leaves
        a.put("time", Set.of());
        a.put("window", Set.of());
        a.put("http", Set.of());
        // the client library for agents, shipped as its own jar: no other Rebound package, ever
        a.put("client", Set.of());
        // the pure core
        a.put("classify", Set.of("time"));
        a.put("config", Set.of("classify", "time"));
        a.put("request", Set.of("config", "classify", "time"));
        a.put("recovery", Set.of("time"));
        a.put("retry", Set.of("request", "config", "classify", "time", "window"));
        a.put("circuit", Set.of("recovery", "retry", "config", "classify", "time", "window"));
        a.put("fallback", Set.of("request", "config", "classify", "time"));
        a.put("ratelimit", Set.of("request", "config", "classify", "time"));
        a.put("balance", Set.of("config"));
        a.put("lifecycle", Set.of("ratelimit", "fallback", "circuit", "recovery", "retry", "request", "config", "classify", "time", "window"));
        // meters and their names: used by topology, read by ops
        a.put("metrics", Set.of("recovery", "circuit", "config", "classify", "time"));
        // calls, the topology and its assembly
        a.put("execute", Set.of("lifecycle", "ratelimit", "retry", "request", "config", "classify", "time"));
        a.put("topology", Set.of("metrics", "execute", "lifecycle", "ratelimit", "balance", "fallback", "circuit", "recovery", "retry", "request",
                "config", "classify", "time", "window"));
        a.put("app", Set.of("topology", "metrics", "execute", "config", "request"));
        // the instance's HTTP endpoint, Kafka administration, the simulated endpoint, the DLQ's tools
        a.put("ops", Set.of("app", "topology", "metrics", "http", "lifecycle", "ratelimit", "circuit", "recovery", "request", "config"));
        a.put("admin", Set.of("topology", "request", "config", "time"));
        a.put("sim", Set.of("http", "request", "config", "time"));
        a.put("dlq", Set.of("request", "config", "time"));
        // the demo and the benchmark suite run whole instances
        final Set<String> belowDemo = Set.of("admin", "sim", "ops", "http", "app", "topology", "metrics", "execute", "lifecycle", "ratelimit", "balance",
                "fallback", "circuit", "recovery", "retry", "request", "config", "classify", "time", "window");
        a.put("demo", belowDemo);
        final Set<String> belowBench = new HashSet<>(belowDemo);
        belowBench.add("demo");
        a.put("bench", Set.copyOf(belowBench));
        // one class per command, over everything
        final Set<String> belowCli = new HashSet<>(belowBench);
        belowCli.addAll(Set.of("bench", "dlq"));
        a.put("cli", Set.copyOf(belowCli));
        a.put("main", Set.of("cli"));
        return Map.copyOf(a);
    }

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.rebound");
    }

    @Test
    void shouldKeepEveryArrowBetweenPackagesInTheTable() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (final String pkg : ALLOWED.keySet()) {
            layers = layers.layer(pkg).definedBy(packageOf(pkg));
        }
        for (final Map.Entry<String, Set<String>> e : ALLOWED.entrySet()) {
            layers = e.getValue().isEmpty()
                    ? layers.whereLayer(e.getKey()).mayNotAccessAnyLayer()
                    : layers.whereLayer(e.getKey()).mayOnlyAccessLayers(e.getValue().toArray(String[]::new));
        }
        layers.check(main);
    }

    @Test
    void shouldPlaceEveryClassInAPackageOfTheTable() {
        classes().should().resideInAnyPackage(ALLOWED.keySet().stream().map(ArchitectureTest::packageOf).toArray(String[]::new))
                .because("a new package needs its row in ALLOWED")
                .check(main);
    }

    @Test
    void shouldKeepPurePackagesFreeOfKafkaHttpAndAdapters() {
        final String[] forbidden = Stream.concat(
                        Stream.of("org.apache.kafka..", "java.net.http..", "com.sun.net.."),
                        IMPURE_NEIGHBOURS.stream().map(p -> "dev.rebound." + p + ".."))
                .toArray(String[]::new);
        noClasses().that().resideInAnyPackage(PURE.stream().map(p -> "dev.rebound." + p + "..").toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("decisions are pure: a function of (input, stored state, now), STYLE.md rule 1")
                .check(main);
    }

    @Test
    void shouldKeepTheClientOnKafkaClientsAndJacksonAlone() {
        classes().that().resideInAPackage("dev.rebound.client..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.rebound.client..", "org.apache.kafka.clients..",
                        "org.apache.kafka.common..", "com.fasterxml.jackson..")
                .because("the client jar (target/rebound-client.jar) ships with kafka-clients and Jackson only")
                .check(main);
    }

    @Test
    void shouldHaveNoCycleBetweenPackages() {
        slices().matching("dev.rebound.(*)..").should().beFreeOfCycles().check(main);
    }

    private static String packageOf(final String name) {
        return "main".equals(name) ? "dev.rebound" : "dev.rebound." + name + "..";
    }
}
