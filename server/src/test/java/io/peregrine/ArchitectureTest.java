package io.peregrine;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of the server, stated once so that nobody has to remember it (DESIGN.md, "Layout"
 * and "Around the core"): packages follow the path of a message, and dependencies point inward.
 *
 * <p>A rule that the code does not keep today is not weakened: its known violations are frozen in
 * {@code src/test/resources/frozen-architecture-violations} (ArchUnit's {@link FreezingArchRule}), named in the
 * rule's description, so that the test passes while they are there and fails on any new one. When
 * a frozen violation is fixed, ArchUnit drops it from the store; commit the change.
 */
class ArchitectureTest {

    /** The server's own classes: the output directory (or jar) that holds {@link Peregrine}, tests left out. */
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importUrl(Peregrine.class.getProtectionDomain().getCodeSource().getLocation());

    /** The packages a message crosses on every request: no databind, no reflection there. */
    private static final String[] HOT_PATH = {"io.peregrine.rpc..", "io.peregrine.mcp..", "io.peregrine.transport.."};

    /**
     * The one class of the hot-path packages that may use jackson-databind: the JSON Schema
     * validator works on Jackson's tree model, which a call pays for only when its tool validates
     * arguments.
     */
    private static final String SCHEMA_VALIDATOR = "io.peregrine.mcp.SchemaValidator";

    /**
     * The core: the protocol, its values and its policy, the transports and the client. Not the
     * assembly (the {@code io.peregrine} package's {@link Peregrine} and the launcher), which wires
     * optional parts in.
     */
    private static final String[] CORE = {"io.peregrine.rpc..", "io.peregrine.mcp..", "io.peregrine.tool..",
            "io.peregrine.resource..", "io.peregrine.prompt..", "io.peregrine.completion..", "io.peregrine.exec..",
            "io.peregrine.policy..", "io.peregrine.transport..", "io.peregrine.config..", "io.peregrine.client.."};

    @Test
    void rpcKnowsNothingOfMcp() {
        noClasses().that().resideInAPackage("io.peregrine.rpc..")
                .should().dependOnClassesThat().resideInAnyPackage("io.peregrine")
                .orShould().dependOnClassesThat().resideInAnyPackage("io.peregrine.mcp..", "io.peregrine.tool..",
                        "io.peregrine.resource..", "io.peregrine.prompt..", "io.peregrine.completion..",
                        "io.peregrine.policy..", "io.peregrine.exec..", "io.peregrine.transport..",
                        "io.peregrine.client..", "io.peregrine.config..", "io.peregrine.launcher..",
                        "io.peregrine.demo..", "io.peregrine.conformance..")
                .because("the JSON-RPC envelope codec is the layer below MCP: it frames and names messages, "
                        + "whatever they mean")
                .check(SERVER);
    }

    @Test
    void transportsKnowTheCoreOnlyThroughMessageListenerAndPeer() {
        noClasses().that().resideInAPackage("io.peregrine.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("io.peregrine")
                .orShould().dependOnClassesThat().resideInAnyPackage("io.peregrine.mcp..", "io.peregrine.tool..",
                        "io.peregrine.resource..", "io.peregrine.prompt..", "io.peregrine.completion..",
                        "io.peregrine.exec..", "io.peregrine.client..", "io.peregrine.launcher..",
                        "io.peregrine.demo..", "io.peregrine.conformance..")
                .because("a transport frames messages and hands them to a MessageListener, answering through "
                        + "its Peer; it knows nothing of MCP (authentication at the edge uses policy)")
                .check(SERVER);
    }

    @Test
    void theCoreNeverImportsATransportImplementation() {
        ArchRule rule = noClasses().that().resideInAPackage("io.peregrine.mcp..")
                .should().dependOnClassesThat().resideInAnyPackage("io.peregrine.transport.tcp..",
                        "io.peregrine.transport.ws..", "io.peregrine.transport.http..", "io.peregrine.transport.stdio..",
                        "io.peregrine.transport.tls..")
                .as("the MCP core uses the transports' MessageListener and Peer (io.peregrine.transport), never "
                        + "a transport itself (frozen: mcp.ParamHeaders uses transport.http.HeaderValues)");
        FreezingArchRule.freeze(rule).check(SERVER);
    }

    @Test
    void onlyTheLauncherServesTheDemo() {
        noClasses().that().resideOutsideOfPackages("io.peregrine.launcher..", "io.peregrine.demo..")
                .should().dependOnClassesThat().resideInAPackage("io.peregrine.demo..")
                .because("the demo tools are what the standalone server offers out of the box, not part of "
                        + "the library")
                .check(SERVER);
    }

    @Test
    void nothingInTheServerImportsTheConformanceFixtures() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.peregrine.conformance..")
                .because("the conformance fixtures are a test profile in their own module (peregrine-conformance), "
                        + "found at start-up through PeregrineExtension")
                .allowEmptyShould(true)
                .check(SERVER);
    }

    @Test
    void theCoreImportsNoGatewayOperationsOrRedisImplementation() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("io.peregrine.gateway..", "io.peregrine.ops..",
                        "io.peregrine.redis..")
                .because("the gateway, metrics, traces and Redis plug into the core's interfaces (tool sources, "
                        + "McpObserver, shared-state backends); the core imports none of them")
                .check(SERVER);
    }

    @Test
    void theHotPathUsesNeitherDatabindNorReflection() {
        noClasses().that().resideInAnyPackage(HOT_PATH).and().doNotHaveFullyQualifiedName(SCHEMA_VALIDATOR)
                .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml.jackson.databind..", "java.lang.reflect..")
                .orShould().callMethodWhere(REFLECTIVE_LOOKUP)
                .because("messages are read with jackson-core's streaming parser and written with its generator; "
                        + "databind and reflection allocate and resolve per message (the schema validator, named "
                        + "here, is the one exception: argument validation needs Jackson's tree model)")
                .check(SERVER);
    }

    @Test
    void packagesFormNoCycles() {
        FreezingArchRule.freeze(slices().assignedFrom(PACKAGES_WITH_THEIR_INTERNALS).should().beFreeOfCycles()
                .as("packages form no cycles (an internal package counts as part of the package it serves; "
                        + "frozen: transport <-> transport.tls, through ListenerSecurity and ClientCertificateHandler)"))
                .check(SERVER);
    }

    @Test
    void topLevelPackagesFormNoCycles() {
        slices().matching("io.peregrine.(*)..").should().beFreeOfCycles()
                .because("the stages of a message's path, and what stands beside them, depend on each other one way")
                .check(SERVER);
    }

    /** Each package is a slice of its own, except that {@code x.internal} belongs to {@code x}. */
    private static final SliceAssignment PACKAGES_WITH_THEIR_INTERNALS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String pkg = c.getPackageName();
            if (!pkg.startsWith("io.peregrine")) {
                return SliceIdentifier.ignore();
            }
            return SliceIdentifier.of(pkg.endsWith(".internal") ? pkg.substring(0, pkg.length() - ".internal".length()) : pkg);
        }

        @Override
        public String getDescription() {
            return "packages of io.peregrine (x.internal counted as x)";
        }
    };

    /** A call that looks a class or member up by name at run time. */
    private static final DescribedPredicate<JavaMethodCall> REFLECTIVE_LOOKUP =
            new DescribedPredicate<>("a reflective lookup (Class.forName, Class.getDeclared*/get*, MethodHandles.Lookup.find*)") {
                private final Set<String> classLookups = Set.of("forName", "getDeclaredMethod", "getDeclaredMethods",
                        "getDeclaredField", "getDeclaredFields", "getDeclaredConstructor", "getDeclaredConstructors",
                        "getMethod", "getMethods", "getField", "getFields", "getConstructor", "getConstructors",
                        "newInstance");

                @Override
                public boolean test(JavaMethodCall call) {
                    String owner = call.getTargetOwner().getName();
                    String name = call.getName();
                    return owner.equals(Class.class.getName()) && classLookups.contains(name)
                            || owner.equals(MethodHandles.Lookup.class.getName()) && name.startsWith("find");
                }
            };
}
