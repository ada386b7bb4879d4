package io.albtrace.smoke.app;

/**
 * A test application that looks for the agent's classes from the inside. For each class name given, prints
 * {@code class <name> : <where>}: {@code not loadable} through the system class loader, or the loader that
 * defined it ({@code bootstrap}, {@code app}, or another's name); the same for resources.
 */
public final class IsolationApp {

    private IsolationApp() {
    }

    public static void main(String[] args) {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (String name : args) {
            if (name.contains("/")) {
                System.out.println("resource " + name + " : "
                        + (system.getResource(name) == null ? "not found" : "found"));
                continue;
            }
            String where;
            try {
                Class<?> c = Class.forName(name, false, system);
                ClassLoader l = c.getClassLoader();
                where = l == null ? "bootstrap" : l == system ? "app" : String.valueOf(l.getName());
            } catch (ClassNotFoundException | LinkageError e) {
                where = "not loadable";
            }
            System.out.println("class " + name + " : " + where);
        }
    }
}
