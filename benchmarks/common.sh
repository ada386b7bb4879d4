# Sourced by the whole-process benchmark scripts (jdk-tools.sh, startup.sh).

# median of the numbers in a file, one a line
median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# empty_agent DIR JAVA: builds DIR/empty-agent.jar with that java's javac and jar, and prints its path. The reference
# agent: a premain that does nothing, so what it costs is what any -javaagent costs the JVM (java.instrument is added
# to the boot layer, which turns off CDS's archived module graph: "optimized module handling: disabled").
# With the agent argument "transformer" (-javaagent:empty-agent.jar=transformer) its premain registers one
# ClassFileTransformer that changes nothing, retransform-capable as albtrace's is: what any agent that changes classes
# as they load costs the JVM before it changes one (from then on the JVM hands every class it loads to the agent: it
# copies the class file into a new byte[], re-reads it from the JDK's image for classes that come from the CDS
# archive, and calls into Java).
empty_agent() {
    local dir=$1 bin
    bin=$(dirname "$2")
    mkdir -p "$dir/empty"
    cat > "$dir/empty/EmptyAgent.java" <<'EOF2'
public final class EmptyAgent implements java.lang.instrument.ClassFileTransformer {
    public static void premain(String args, java.lang.instrument.Instrumentation instrumentation) {
        if ("transformer".equals(args)) {
            instrumentation.addTransformer(new EmptyAgent(), true);
        } else if (args != null && !args.isEmpty()) {
            throw new IllegalArgumentException("EmptyAgent takes no argument or \"transformer\", not " + args);
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            java.security.ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return null;
    }
}
EOF2
    printf 'Premain-Class: EmptyAgent\nCan-Retransform-Classes: true\n' > "$dir/empty/manifest.txt"
    "$bin/javac" --release 11 -d "$dir/empty" "$dir/empty/EmptyAgent.java"
    "$bin/jar" cfm "$dir/empty-agent.jar" "$dir/empty/manifest.txt" -C "$dir/empty" EmptyAgent.class
    echo "$dir/empty-agent.jar"
}
