package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.albtrace.smoke.Chain.Case;
import io.albtrace.smoke.Chain.Mdc;
import io.albtrace.testing.Trace;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chain in container images, as users deploy the agent: the front and back test applications each in an image
 * of their own that does not contain the agent (src/container/front.Containerfile, back.Containerfile, FROM the base
 * JRE image that scripts/setup-podman.sh makes), and the agent added on top in its own layer by
 * src/container/Containerfile, which sets {@code JAVA_TOOL_OPTIONS=-javaagent:/opt/albtrace/albtrace-agent.jar}.
 * Built and run with Podman: a back container and a front container on a network of their own, the front's port
 * published to 127.0.0.1; the test sends requests to it and asserts the chain with {@link Chain}, as ChainIT does.
 * The same for the two other ways of README.md's "Add the agent to your fleet", from the application images without
 * the agent and the agent image (deploy/image/Containerfile): deploy/kubernetes/deployment.yaml played with
 * {@code podman kube play} (the agent from its init container), and deploy/ecs/task-definition.json run in its order
 * (the agent container to completion into a volume, then the application with it).
 *
 * <p>On only with {@code -Dalbtrace.smoke.containers=true} (the {@code containers} profile; scripts/test.sh turns it
 * on after scripts/setup-podman.sh). Off, the tests are skipped, saying so; on, a machine where Podman does not work
 * fails them. Every podman command is bounded; containers, the network and the images are removed afterwards, also
 * when a test fails (and from a shutdown hook when the JVM is stopped). Logs: target/smoke/containers.
 */
class ContainersIT {

    static final boolean ON = Boolean.getBoolean("albtrace.smoke.containers");
    static final String BASE_IMAGE = System.getProperty("albtrace.smoke.base.image",
            "localhost/albtrace-base-jre17:latest");
    static final Path CONTAINERFILES = Paths.get(System.getProperty("albtrace.smoke.containerfiles", "src/container"))
            .toAbsolutePath().normalize();
    /** The repository's deploy/ directory: the agent image's Containerfile, the Kubernetes and ECS examples. */
    static final Path DEPLOY = Paths.get(System.getProperty("albtrace.smoke.deploy", "../deploy"))
            .toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("albtrace.smoke.version", "0.1.0-SNAPSHOT");
    static final String AGENT_IN_IMAGE = "/opt/albtrace/albtrace-agent.jar";
    static final String PICKED_UP = "Picked up JAVA_TOOL_OPTIONS: -javaagent:" + AGENT_IN_IMAGE;

    /**
     * One name per run, on every image tag, container and network: runs side by side never meet. It names the test
     * JVM (its pid and start time, in seconds, hex) so that a later run can tell what a killed run left behind.
     */
    static final String RUN = "albtrace-smoke-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(startSeconds(ProcessHandle.current())) + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    /** Label values and names of runs: albtrace-smoke-PID-START-RANDOM (and, before START was added, -PID-RANDOM). */
    private static final java.util.regex.Pattern RUN_NAME =
            java.util.regex.Pattern.compile("albtrace-smoke-(\\d+)-([0-9a-f]+)(?:-([0-9a-f]+))?");
    /** No container outlives this ({@code podman run --timeout}): failsafe's fork timeout, 900 s, and a margin. */
    static final Duration CONTAINER_LIFETIME = Duration.ofMinutes(20);

    static final String FRONT_IMAGE = "localhost/albtrace-smoke-front:" + RUN;
    static final String BACK_IMAGE = "localhost/albtrace-smoke-back:" + RUN;
    static final String FRONT_AGENT_IMAGE = "localhost/albtrace-smoke-front-agent:" + RUN;
    static final String BACK_AGENT_IMAGE = "localhost/albtrace-smoke-back-agent:" + RUN;
    static final String WEBFLUX_IMAGE = "localhost/albtrace-smoke-webflux:" + RUN;
    static final String WEBFLUX_AGENT_IMAGE = "localhost/albtrace-smoke-webflux-agent:" + RUN;
    /** The agent image (deploy/image/Containerfile): the jar and a static busybox, for init containers and sidecars. */
    static final String AGENT_IMAGE = "localhost/albtrace-smoke-agent-image:" + RUN;

    private static Podman podman;
    private static final List<String> images = new ArrayList<>();
    private static final List<String> containers = new ArrayList<>();
    private static final List<String> pods = new ArrayList<>();
    private static final List<String> volumes = new ArrayList<>();
    private static String network;
    private static Thread cleanupHook;
    private static URI front;
    /** Why the tests are skipped (the property is off), or null. */
    private static String skipped;

    @BeforeAll
    static void buildAndStart() throws IOException {
        Path work = Jvm.WORK.resolve("containers");
        podman = new Podman(work.resolve("podman"));
        Podman.Result info = podman.run(Podman.SHORT, "info", "--format", "{{.Host.OCIRuntime.Name}}");
        String state = info.ok() ? "Podman works here (runtime " + info.out().trim() + ")"
                : "Podman does not work here (" + firstLine(info.err()) + ")";
        if (!ON) {
            String given = System.getProperty("albtrace.smoke.containers.skipped", "");
            String why = "CONTAINER SMOKE TESTS SKIPPED: " + (given.isBlank() ? "they run with -Pcontainers (or"
                    + " -Dalbtrace.smoke.containers=true), as scripts/test.sh does after scripts/setup-podman.sh"
                    : given) + "; " + state;
            System.out.println("[ContainersIT] " + why);
            System.err.println("[ContainersIT] " + why);
            skipped = why;
            return;
        }
        if (!info.ok()) {
            fail("the container smoke tests are on (albtrace.smoke.containers=true) but " + state
                    + ": run scripts/setup-podman.sh as root first, or turn them off (no -Pcontainers;"
                    + " ALBTRACE_CONTAINERS=0 bash scripts/test.sh)" + info.dump());
        }
        Podman.Result base = podman.run(Podman.SHORT, "image", "exists", BASE_IMAGE);
        if (!base.ok()) {
            fail("the container smoke tests are on but the base image " + BASE_IMAGE + " is not there (exit "
                    + base.exit() + "): scripts/setup-podman.sh makes it" + base.dump());
        }
        System.out.println("[ContainersIT] " + state + "; run " + RUN + ", logs in " + work);
        removeStale();
        cleanupHook = new Thread(ContainersIT::cleanUp, "containers-it-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);

        // The application images, without the agent: the test applications as target/apps has them.
        build(BACK_IMAGE, "back.Containerfile", Jvm.APPS, "BASE_IMAGE=" + BASE_IMAGE);
        build(FRONT_IMAGE, "front.Containerfile", Jvm.APPS, "BASE_IMAGE=" + BASE_IMAGE);
        // The agent layer on each, exactly as a user adds it: its context holds only the built agent jar.
        Path agentContext = Files.createDirectories(work.resolve("agent-context"));
        Files.copy(Jvm.AGENT_JAR, agentContext.resolve("albtrace-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        build(BACK_AGENT_IMAGE, "Containerfile", agentContext, "APP_IMAGE=" + BACK_IMAGE);
        build(FRONT_AGENT_IMAGE, "Containerfile", agentContext, "APP_IMAGE=" + FRONT_IMAGE);
        // The agent image, from the same context; its first stage takes busybox-static from Debian's packages.
        build(AGENT_IMAGE, DEPLOY.resolve("image/Containerfile"), agentContext, "VERSION=" + VERSION,
                "DEBIAN_IMAGE=" + BASE_IMAGE);

        // Networking: a user-defined bridge network. Each container has its own network namespace and address and
        // the front reaches the back over the bridge by name, as services do. Not a pod: its containers share one
        // network namespace, so the call would go over loopback; not --network host: no isolation, and ports could
        // clash with other builds. With Debian bookworm's Podman 4.3 the network backend is netavark and
        // aardvark-dns (installed with podman's recommended packages) answers for container names and aliases;
        // where a network has no DNS (the CNI backend without the dnsname plugin), the front is given the back's
        // address from `podman inspect` as an /etc/hosts entry instead, so the image's URL http://back:8081/ works.
        network = RUN;
        podman.check(Podman.SHORT, "network", "create", "--label", "albtrace.smoke.run=" + RUN, network);
        container("back", BACK_AGENT_IMAGE, List.of("--network-alias", "back"));
        waitListening("back");
        front = publishedUri(container("front", FRONT_AGENT_IMAGE, backHostEntry()));
        waitListening("front");
    }

    /** Off: each test is reported skipped, with the reason (an abort in @BeforeAll would report no tests at all). */
    @BeforeEach
    void skipWhenOff() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    static void stopAndRemove() {
        cleanUp();
        if (cleanupHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs (cleanUp does nothing the second time)
            }
        }
    }

    /** SPEC 3 to 5 over the whole chain, incoming header full, Root-only, absent and malformed; the same as ChainIT. */
    @Test
    void everyClientForwardsPerSpecBetweenContainers() {
        for (Case c : Case.values()) {
            Chain.Report r = Chain.request(front, c.incoming);
            Chain.assertChain(r, c, Chain.ALL_CLIENTS, Mdc.FILLED);
        }
        // SPEC 5.1: a header the application set wins over the request's context; of two, the first counts.
        String own = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";
        String other = "Root=1-5759e988-00002e3fe1be46a994272793;CalledFrom=other";
        Chain.Report r = Chain.request(front, Chain.FULL, own, other);
        assertEquals(Chain.ALL_CLIENTS, r.clients(), r.raw());
        for (Chain.Call call : r.calls()) {
            assertTrue(call.ok(), call.client() + " failed\n" + r.raw());
            assertEquals(1, call.values().size(), call.client() + ": one header leaves\n" + r.raw());
            Trace.assertForwarded("Self={NEW};" + own, own, call.values().get(0));
        }
    }

    /**
     * The Spring Boot WebFlux service (Reactor Netty) in a container with the agent layer, between the same back
     * service: every way it calls out (WebClient, after a response, on Reactor's schedulers, RestClient on Reactor
     * Netty) forwards per the SPEC, and the MDC is filled on the event loop; the same as WebFluxIT.
     */
    @Test
    void aWebFluxServiceForwardsPerSpecBetweenContainers() throws IOException {
        Path webflux = Paths.get(System.getProperty("albtrace.smoke.webflux.app"));
        build(WEBFLUX_IMAGE, "webflux.Containerfile", webflux, "BASE_IMAGE=" + BASE_IMAGE);
        Path agentContext = Jvm.WORK.resolve("containers").resolve("agent-context");
        build(WEBFLUX_AGENT_IMAGE, "Containerfile", agentContext, "APP_IMAGE=" + WEBFLUX_IMAGE);
        URI uri = publishedUri(container("front-webflux", WEBFLUX_AGENT_IMAGE, backHostEntry()));
        waitListening("front-webflux");
        for (Case c : Case.values()) {
            Chain.assertChain(Chain.request(uri, c.incoming), c, WebFluxIT.CLIENTS, Mdc.FILLED);
        }
        Podman.Result logs = logs("front-webflux");
        assertTrue(logs.err().contains(PICKED_UP), "the JVM did not pick up the agent" + logs.dump());
        assertEquals(List.of(), logs.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                "the agent had nothing to warn about" + logs.dump());
    }

    /** The images set JAVA_TOOL_OPTIONS and that is how the agent came in: each JVM says it picked it up. */
    @Test
    void javaToolOptionsInTheImageAttachedTheAgent() {
        for (String name : List.of("back", "front")) {
            Podman.Result logs = logs(name);
            assertTrue(logs.err().contains(PICKED_UP), name + ": the JVM did not pick up the agent" + logs.dump());
            assertEquals(List.of(), logs.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                    name + ": the agent had nothing to warn about" + logs.dump());
        }
        String env = podman.check(Podman.SHORT, "image", "inspect", "--format", "{{json .Config.Env}}",
                FRONT_AGENT_IMAGE).out();
        assertTrue(env.contains("\"JAVA_TOOL_OPTIONS=-javaagent:" + AGENT_IN_IMAGE + "\""), env);
        String appEnv = podman.check(Podman.SHORT, "image", "inspect", "--format", "{{json .Config.Env}}",
                FRONT_IMAGE).out();
        assertFalse(appEnv.contains("JAVA_TOOL_OPTIONS"), "the application image must not have the agent: " + appEnv);
    }

    /** The same front image without the agent layer: every call reaches the back exactly as the application made it. */
    @Test
    void theApplicationImageWithoutTheAgentLayerAddsNothing() {
        URI plain = publishedUri(container("front-noagent", FRONT_IMAGE, backHostEntry()));
        waitListening("front-noagent");
        for (Case c : Case.values()) {
            Chain.Report r = Chain.request(plain, c.incoming);
            Chain.assertUnchanged(r, Chain.ALL_CLIENTS, List.of());
            assertEquals("-\t-", r.mdc(), "no agent, no MDC\n" + r.raw());
        }
        String own = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";
        Chain.assertUnchanged(Chain.request(plain, Chain.FULL, own, own + "2"), Chain.ALL_CLIENTS,
                List.of(own, own + "2"));
        Podman.Result logs = logs("front-noagent");
        assertFalse(logs.err().contains("JAVA_TOOL_OPTIONS"), "no agent layer, no JAVA_TOOL_OPTIONS" + logs.dump());
    }

    /**
     * The agent image: the agent jar at its documented path, labelled with the version, a few MB above the jar; run
     * with a directory mounted at /albtrace it copies the jar there, byte for byte, and exits 0; given a directory
     * that does not exist it fails and says so.
     */
    @Test
    void theAgentImageCopiesTheJarIntoAVolume() throws IOException {
        String labels = podman.check(Podman.SHORT, "image", "inspect", "--format", "{{json .Labels}}", AGENT_IMAGE).out();
        assertTrue(labels.contains("\"org.opencontainers.image.version\":\"" + VERSION + "\""), labels);
        assertTrue(labels.contains("\"io.albtrace.agent.path\":\"" + AGENT_IN_IMAGE + "\""), labels);
        long size = Long.parseLong(podman.check(Podman.SHORT, "image", "inspect", "--format", "{{.Size}}", AGENT_IMAGE)
                .out().trim());
        long jar = Files.size(Jvm.AGENT_JAR);
        // The jar, busybox (about 2 MB) and nothing else: no distribution's files, no JRE.
        assertTrue(size < jar + 4_000_000L, "agent image " + size + " bytes for a " + jar + " byte jar");

        Path volume = Files.createDirectories(Jvm.WORK.resolve("containers/agent-volume"));
        Files.deleteIfExists(volume.resolve("albtrace-agent.jar"));
        podman.check(Podman.SHORT, "run", "--rm", "--label", "albtrace.smoke.run=" + RUN, "-v",
                volume + ":/albtrace", AGENT_IMAGE);
        assertEquals(-1L, Files.mismatch(Jvm.AGENT_JAR, volume.resolve("albtrace-agent.jar")),
                "the copied jar is the built one");

        Podman.Result missing = podman.run(Podman.SHORT, "run", "--rm", "--label", "albtrace.smoke.run=" + RUN,
                AGENT_IMAGE, "/no/such/dir/");
        assertTrue(missing.exit() != 0 && missing.err().contains("/no/such/dir/"), missing.dump());
    }

    /**
     * deploy/kubernetes/deployment.yaml with {@code podman kube play}: the back and the front as a pod each, from the
     * application images without the agent, the agent brought in only by the manifest's init container and emptyDir;
     * every hop per SPEC, as for the images with the agent layer. The service name comes from the pod's label
     * through the downward API (seen in the front's hop log). The Deployment without what the component adds
     * (example/my-service.yaml) adds nothing.
     */
    @Test
    void kubernetesInitContainerBringsTheAgentIn() throws IOException {
        String deployment = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"));
        String back = play("kback", deployment, BACK_IMAGE, null);
        waitListeningFull(back);
        String ip = podman.check(Podman.SHORT, "inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}",
                podman.check(Podman.SHORT, "pod", "inspect", "--format", "{{.InfraContainerID}}", RUN + "-kback-pod-0")
                        .out().trim()).out().trim();
        int port = freePort();
        String frontContainer = play("kfront", deployment, FRONT_IMAGE, new String[] {ip, Integer.toString(port)});
        waitListeningFull(frontContainer);
        URI kubeFront = URI.create("http://127.0.0.1:" + port);
        for (Case c : Case.values()) {
            Chain.assertChain(Chain.request(kubeFront, c.incoming), c, Chain.ALL_CLIENTS, Mdc.FILLED);
        }
        for (String container : List.of(back, frontContainer)) {
            Podman.Result logs = podman.check(Podman.SHORT, "logs", container);
            assertTrue(logs.err().contains("Picked up JAVA_TOOL_OPTIONS: -javaagent:/albtrace/albtrace-agent.jar"),
                    container + ": the agent came in through the init container's volume" + logs.dump());
        }
        Podman.Result frontLogs = podman.check(Podman.SHORT, "logs", frontContainer);
        assertTrue(frontLogs.out().contains("\"svc\":\"kfront\""),
                "the hop log's service name is the pod's label app.kubernetes.io/name" + frontLogs.dump());

        String plain = play("kplain", Files.readString(DEPLOY.resolve("kubernetes/example/my-service.yaml")),
                FRONT_IMAGE, new String[] {ip, Integer.toString(port = freePort())});
        waitListeningFull(plain);
        URI plainFront = URI.create("http://127.0.0.1:" + port);
        for (Case c : Case.values()) {
            Chain.Report r = Chain.request(plainFront, c.incoming);
            Chain.assertUnchanged(r, Chain.ALL_CLIENTS, List.of());
            assertEquals("-\t-", r.mdc(), "no init container, no agent, no MDC\n" + r.raw());
        }
        assertFalse(podman.check(Podman.SHORT, "logs", plain).err().contains("JAVA_TOOL_OPTIONS"));
    }

    /**
     * deploy/kubernetes/deployment.yaml is what the component makes of the example Deployment, as kubectl's kustomize
     * prints it (after the file's comment lines). Skipped, saying so, where kubectl is not installed.
     */
    @Test
    void theDeploymentIsTheKustomizeComponentApplied() throws IOException, InterruptedException {
        Path out = Jvm.WORK.resolve("containers/kustomize.out");
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", DEPLOY.resolve("kubernetes/example").toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: the Kustomize component is not rendered here (" + e + ")");
            return;
        }
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "kubectl kustomize did not finish");
        String rendered = Files.readString(out);
        assertEquals(0, p.exitValue(), rendered);
        String checkedIn = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml")).lines()
                .filter(l -> !l.startsWith("#")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        assertEquals(rendered, checkedIn, "deploy/kubernetes/deployment.yaml is not `kubectl kustomize"
                + " deploy/kubernetes/example`: render it again");
    }

    /**
     * deploy/ecs/task-definition.json: its JSON, the agent container non-essential and copying into the shared
     * volume's path, the application's depending on it with COMPLETE, mounting that volume read-only where
     * JAVA_TOOL_OPTIONS looks for the jar; then the closest Podman has to the task: the agent image run to completion
     * into a volume, the front started afterwards with that volume and the task's environment, every hop per SPEC.
     */
    @Test
    void theEcsTaskDefinitionSidecarBringsTheAgentIn() throws IOException {
        com.google.gson.JsonObject task = com.google.gson.JsonParser.parseString(
                Files.readString(DEPLOY.resolve("ecs/task-definition.json"))).getAsJsonObject();
        com.google.gson.JsonArray taskVolumes = task.getAsJsonArray("volumes");
        assertEquals(1, taskVolumes.size(), task.toString());
        String volume = taskVolumes.get(0).getAsJsonObject().get("name").getAsString();
        com.google.gson.JsonArray defs = task.getAsJsonArray("containerDefinitions");
        assertEquals(2, defs.size(), task.toString());
        com.google.gson.JsonObject agent = defs.get(0).getAsJsonObject();
        com.google.gson.JsonObject app = defs.get(1).getAsJsonObject();
        assertFalse(agent.get("essential").getAsBoolean(), "the agent container only copies: non-essential");
        assertTrue(agent.get("image").getAsString().contains("/albtrace-agent:"), agent.toString());
        assertTrue(app.get("essential").getAsBoolean(), app.toString());
        com.google.gson.JsonObject dependsOn = app.getAsJsonArray("dependsOn").get(0).getAsJsonObject();
        assertEquals(agent.get("name").getAsString(), dependsOn.get("containerName").getAsString());
        assertEquals("COMPLETE", dependsOn.get("condition").getAsString());

        com.google.gson.JsonObject agentMount = agent.getAsJsonArray("mountPoints").get(0).getAsJsonObject();
        com.google.gson.JsonObject appMount = app.getAsJsonArray("mountPoints").get(0).getAsJsonObject();
        assertEquals(volume, agentMount.get("sourceVolume").getAsString());
        assertEquals(volume, appMount.get("sourceVolume").getAsString());
        assertTrue(appMount.get("readOnly").getAsBoolean(), appMount.toString());
        String agentPath = agentMount.get("containerPath").getAsString();
        List<String> command = new ArrayList<>();
        agent.getAsJsonArray("command").forEach(e -> command.add(e.getAsString()));
        assertEquals(List.of(agentPath + "/"), command, "the agent container copies into its mount point");
        // The image copies its jar (at the path the label documents) into the directory given as the command.
        String entrypoint = podman.check(Podman.SHORT, "image", "inspect", "--format", "{{json .Config.Entrypoint}}",
                AGENT_IMAGE).out().trim();
        assertEquals("[\"/bin/busybox\",\"cp\",\"" + AGENT_IN_IMAGE + "\"]", entrypoint);
        List<String> env = new ArrayList<>();
        app.getAsJsonArray("environment").forEach(e -> env.add(e.getAsJsonObject().get("name").getAsString() + "="
                + e.getAsJsonObject().get("value").getAsString()));
        String toolOptions = "JAVA_TOOL_OPTIONS=-javaagent:" + appMount.get("containerPath").getAsString() + "/"
                + Jvm.AGENT_JAR.getFileName();
        assertTrue(env.contains(toolOptions), "the application looks for the jar where the volume is: " + env);

        // The task, run by hand in its order: the agent container to completion, then the application.
        String podmanVolume = RUN + "-ecs-" + volume;
        volumes.add(podmanVolume);
        podman.check(Podman.SHORT, "volume", "create", "--label", "albtrace.smoke.run=" + RUN, podmanVolume);
        List<String> agentRun = new ArrayList<>(List.of("run", "--rm", "--label", "albtrace.smoke.run=" + RUN, "-v",
                podmanVolume + ":" + agentPath, AGENT_IMAGE));
        agentRun.addAll(command);
        podman.check(Podman.SHORT, agentRun.toArray(String[]::new));
        List<String> options = new ArrayList<>(List.of("-v", podmanVolume + ":" + appMount.get("containerPath")
                .getAsString() + ":ro"));
        env.forEach(e -> options.addAll(List.of("-e", e)));
        options.addAll(backHostEntry());
        URI ecsFront = publishedUri(container("front-ecs", FRONT_IMAGE, options));
        waitListening("front-ecs");
        for (Case c : Case.values()) {
            Chain.assertChain(Chain.request(ecsFront, c.incoming), c, Chain.ALL_CLIENTS, Mdc.FILLED);
        }
        Podman.Result logs = logs("front-ecs");
        assertTrue(logs.err().contains("Picked up " + toolOptions.replaceFirst("=", ": ")), logs.dump());
    }

    /**
     * Plays a Deployment of the repository (named my-service) as pod RUN-{@code name}-pod-0 on the test's network,
     * with {@code image} as its application; a front ({@code backAndPort} not null) reaches the back at the given
     * address and publishes its 8080 on 127.0.0.1 at the given port. Returns the application container's name.
     */
    private static String play(String name, String manifest, String image, String[] backAndPort) throws IOException {
        String full = RUN + "-" + name;
        String yaml = replaceAll(manifest, "app.kubernetes.io/name: my-service", "app.kubernetes.io/name: " + name);
        yaml = replaceAll(yaml, "name: my-service", "name: " + full);
        yaml = replaceAll(yaml, "image: my-service:1.0", "image: " + image);
        yaml = replaceAll(yaml, "replicas: 2", "replicas: 1");
        // The pod's label: a killed run's pods are found and removed by the next run (removeStale).
        yaml = replaceAll(yaml, "      labels:\n        app.kubernetes.io/name: " + name + "\n", "      labels:\n"
                + "        albtrace.smoke.run: " + RUN + "\n        app.kubernetes.io/name: " + name + "\n");
        if (yaml.contains("albtrace-agent")) {
            yaml = replaceAll(yaml, "image: albtrace-agent:0.1.0", "image: " + AGENT_IMAGE);
            // Podman 4.3 makes an emptyDir a named volume, shared by name: one per pod and run.
            yaml = replaceAll(yaml, "name: albtrace-agent", "name: " + full + "-agent");
            volumes.add(full + "-agent");
            // Podman 4.3 fails to remove a finished init container of the default type, "once" ("cannot remove
            // container ... as it is running"); "always" keeps it, and it ran to completion all the same.
            yaml = replaceAll(yaml, "  template:\n    metadata:\n",
                    "  template:\n    metadata:\n      annotations:\n        io.podman.annotations.init.container.type: always\n");
            // Podman 4.3 gives the init container the pod's restart policy: under a Deployment's "Always" it copies
            // the jar again and again (a hundred restarts in 20 s) before the application starts. Kubernetes runs an
            // init container once; "OnFailure" does that here (the copy exits 0).
            yaml = replaceAll(yaml, "      initContainers:\n", "      restartPolicy: OnFailure\n      initContainers:\n");
            // The hop log on stdout, to see the service name the downward API gave.
            yaml = replaceAll(yaml, "        - name: ALBTRACE_SERVICE_NAME\n",
                    "        - name: ALBTRACE_HOPLOG\n          value: stdout\n        - name: ALBTRACE_SERVICE_NAME\n");
        }
        if (backAndPort == null) {
            yaml = yaml.replaceFirst("containerPort: 8080", "containerPort: 8081");
        } else {
            yaml = replaceAll(yaml, "    spec:\n      containers:\n", "    spec:\n      hostAliases:\n      - ip: "
                    + backAndPort[0] + "\n        hostnames: [back]\n      containers:\n");
            yaml = yaml.replaceFirst("(\\s*)- containerPort: 8080", "$1- containerPort: 8080$1  hostPort: "
                    + backAndPort[1] + "$1  hostIP: 127.0.0.1");
        }
        Path file = Jvm.WORK.resolve("containers/" + name + ".yaml");
        Files.writeString(file, yaml);
        pods.add(full + "-pod-0");
        podman.check(Podman.BUILD, "kube", "play", "--network", network, file.toString());
        String names = podman.check(Podman.SHORT, "ps", "-a", "--filter", "pod=" + full + "-pod-0", "--format",
                "{{.Names}}").out();
        return names.lines().filter(n -> n.endsWith("-" + full)).findFirst()
                .orElseThrow(() -> new AssertionError("no application container in pod " + full + ": " + names));
    }

    /** {@code text} with every {@code from} replaced; fails when there is none (the manifest changed under the test). */
    private static String replaceAll(String text, String from, String to) {
        assertTrue(text.contains(from), "the manifest has no \"" + from + "\":\n" + text);
        return text.replace(from, to);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void build(String tag, String containerfile, Path context, String buildArg) {
        build(tag, CONTAINERFILES.resolve(containerfile), context, buildArg);
    }

    private static void build(String tag, Path containerfile, Path context, String... buildArgs) {
        images.add(tag);
        List<String> args = new ArrayList<>(List.of("build", "-f", containerfile.toString()));
        for (String a : buildArgs) {
            args.addAll(List.of("--build-arg", a));
        }
        args.addAll(List.of("--label", "albtrace.smoke.run=" + RUN, "-t", tag, context.toString()));
        podman.check(Podman.BUILD, args.toArray(String[]::new));
    }

    /** Starts container RUN-{@code name} from {@code image} on the network, detached; the front ones publish 8080. */
    private static String container(String name, String image, List<String> options) {
        String full = RUN + "-" + name;
        containers.add(full);
        // Detached, no stdin: the applications run until removed, or killed by podman after --timeout seconds
        // should this JVM be killed before it removes them (the next run's removeStale() then removes them).
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", full, "--label", "albtrace.smoke.run=" + RUN,
                "--timeout", Long.toString(CONTAINER_LIFETIME.toSeconds()), "--network", network));
        args.addAll(options);
        if (name.startsWith("front")) {
            args.addAll(List.of("-p", "127.0.0.1::8080"));
        }
        args.add(image);
        podman.check(Podman.SHORT, args.toArray(String[]::new));
        return full;
    }

    /** Nothing when the network resolves names; else {@code --add-host back:<the back's address>}. */
    private static List<String> backHostEntry() {
        String dns = podman.check(Podman.SHORT, "network", "inspect", "--format", "{{.DNSEnabled}}", network).out().trim();
        if (dns.equals("true")) {
            return List.of();
        }
        String ip = podman.check(Podman.SHORT, "inspect", "--format",
                "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", RUN + "-back").out().trim();
        System.out.println("[ContainersIT] network " + network + " has no DNS: back is " + ip + " in the front's /etc/hosts");
        return List.of("--add-host", "back:" + ip);
    }

    /** http://127.0.0.1:PORT, the host port podman published for the container's 8080. */
    private static URI publishedUri(String container) {
        String mapping = podman.check(Podman.SHORT, "port", container, "8080/tcp").out().trim();
        String port = mapping.substring(mapping.lastIndexOf(':') + 1);
        return URI.create("http://127.0.0.1:" + Integer.parseInt(port));
    }

    /** Waits, bounded, until RUN-{@code name} prints "... listening on", failing with its logs if it exits first. */
    private static void waitListening(String name) {
        waitListeningFull(RUN + "-" + name);
    }

    /** {@link #waitListening} for a container named in full (a pod's, named by podman kube play). */
    static void waitListeningFull(String container) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Podman.Result logs = podman.check(Podman.SHORT, "logs", container);
            if (logs.out().contains("listening on")) {
                return;
            }
            String status = podman.run(Podman.SHORT, "inspect", "--format", "{{.State.Status}}", container)
                    .out().trim();
            if (!status.equals("running") && !status.equals("created") || System.nanoTime() > deadline) {
                fail("container " + container + " is " + status + " and not listening" + logs.dump());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Podman.Result logs(String name) {
        return podman.check(Podman.SHORT, "logs", RUN + "-" + name);
    }

    /** Removes what this run made; every step on its own, so one failure does not leave the rest behind. */
    private static synchronized void cleanUp() {
        if (podman == null) {
            return;
        }
        for (String c : containers) {
            podman.run(Podman.SHORT, "logs", c); // kept under target/smoke/containers/podman
            report(podman.run(Podman.SHORT, "rm", "--force", "--ignore", "--time", "0", c));
        }
        containers.clear();
        for (String p : pods) {
            report(podman.run(Podman.SHORT, "pod", "rm", "--force", "--ignore", "--time", "0", p));
        }
        pods.clear();
        for (String v : volumes) {
            if (podman.run(Podman.SHORT, "volume", "exists", v).ok()) {
                report(podman.run(Podman.SHORT, "volume", "rm", "--force", v));
            }
        }
        volumes.clear();
        if (network != null && podman.run(Podman.SHORT, "network", "exists", network).ok()) {
            report(podman.run(Podman.SHORT, "network", "rm", "-f", network));
        }
        network = null;
        for (int i = images.size() - 1; i >= 0; i--) {
            Podman.Result r = podman.run(Podman.SHORT, "image", "exists", images.get(i));
            if (r.ok()) {
                report(podman.run(Podman.SHORT, "rmi", images.get(i)));
            }
        }
        images.clear();
    }

    /**
     * Removes, bounded, what earlier runs left behind when their test JVM was killed before its clean-up (failsafe's
     * fork timeout, a cancelled CI job): containers, networks and images labelled {@code albtrace.smoke.run} (named
     * after it) whose test JVM no longer runs. A run whose JVM still runs (a build side by side) is left alone.
     */
    private static void removeStale() {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        List<String> stale = new ArrayList<>();
        Podman.Result ps = podman.run(Podman.SHORT, "ps", "-a", "--filter", "label=albtrace.smoke.run", "--format",
                "{{.ID}}\t{{index .Labels \"albtrace.smoke.run\"}}");
        staleNames(ps, 1, 0).forEach(id -> stale.add("container " + id));
        if (!stale.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("rm", "--force", "--ignore", "--time", "0"));
            stale.forEach(c -> args.add(c.substring("container ".length())));
            report(podman.run(Podman.SHORT, args.toArray(String[]::new)));
        }
        Podman.Result podList = podman.run(Podman.SHORT, "pod", "ps", "--filter", "label=albtrace.smoke.run",
                "--format", "{{.Name}}\t{{index .Labels \"albtrace.smoke.run\"}}");
        for (String p : staleNames(podList, 1, 0)) {
            stale.add("pod " + p);
            report(podman.run(Podman.SHORT, "pod", "rm", "--force", "--ignore", "--time", "0", p));
        }
        Podman.Result volumeList = podman.run(Podman.SHORT, "volume", "ls", "--filter", "label=albtrace.smoke.run",
                "--format", "{{.Name}}\t{{index .Labels \"albtrace.smoke.run\"}}");
        for (String v : staleNames(volumeList, 1, 0)) {
            stale.add("volume " + v);
            report(podman.run(Podman.SHORT, "volume", "rm", "--force", v));
        }
        Podman.Result networks = podman.run(Podman.SHORT, "network", "ls", "--filter", "label=albtrace.smoke.run",
                "--format", "{{.Name}}");
        for (String n : staleNames(networks, 0, 0)) {
            if (System.nanoTime() < deadline) {
                stale.add("network " + n);
                report(podman.run(Podman.SHORT, "network", "rm", "-f", n));
            }
        }
        Podman.Result imageList = podman.run(Podman.SHORT, "images", "--filter", "label=albtrace.smoke.run", "--format",
                "{{.Repository}}:{{.Tag}}\t{{.Tag}}");
        List<String> staleImages = staleNames(imageList, 1, 0);
        // The agent layers first: they are built FROM the application images.
        staleImages.sort((a, b) -> Boolean.compare(!a.contains("-agent:"), !b.contains("-agent:")));
        for (String i : staleImages) {
            if (System.nanoTime() < deadline) {
                stale.add("image " + i);
                report(podman.run(Podman.SHORT, "rmi", "--force", i));
            }
        }
        if (!stale.isEmpty()) {
            System.out.println("[ContainersIT] removed what killed runs left behind: " + String.join(", ", stale));
        }
    }

    /**
     * From lines of tab-separated fields, field {@code keep} of those whose field {@code run} names a run other than
     * this one whose test JVM is gone. A failed listing gives nothing (reported).
     */
    private static List<String> staleNames(Podman.Result listing, int run, int keep) {
        List<String> names = new ArrayList<>();
        if (!listing.ok()) {
            report(listing);
            return names;
        }
        for (String line : listing.out().split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length > Math.max(run, keep) && !fields[run].equals(RUN) && !names.contains(fields[keep])
                    && gone(fields[run])) {
                names.add(fields[keep]);
            }
        }
        return names;
    }

    /** Whether the test JVM of {@code run} (see {@link #RUN}) no longer runs; false for a name that is not a run's. */
    static boolean gone(String run) {
        java.util.regex.Matcher m = RUN_NAME.matcher(run);
        if (!m.matches()) {
            return false;
        }
        java.util.Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(m.group(1)));
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        if (m.group(3) == null) {
            return false; // a run of the older form with a live pid: perhaps still running, left alone
        }
        // The pid was reused by another process when that one started at another time (a second's tolerance).
        return Math.abs(startSeconds(p.get()) - Long.parseLong(m.group(2), 16)) > 2;
    }

    private static long startSeconds(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::getEpochSecond).orElse(0L);
    }

    private static void report(Podman.Result r) {
        if (!r.ok()) {
            System.out.println("[ContainersIT] clean-up step failed (left behind, labelled albtrace.smoke.run=" + RUN
                    + "):" + r.dump());
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return t.isEmpty() ? "no output" : nl < 0 ? t : t.substring(0, nl);
    }
}
