package io.albtrace.weaver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * What an advice class needs of the library it is woven into, read from its class file (nothing is loaded): every
 * class, method and field of a library that its code names, with how it uses each (a static call, an interface
 * call, a field read), and each {@code @Advice.FieldValue} it reads from the class it is woven into. A library is
 * anything but the JDK's {@code java.*} and the agent's own classes ({@code io.albtrace.*}, Byte Buddy). A helper the
 * advice names by a string constant (a class of the agent that {@code LibraryHelpers} defines next to the library's
 * classes, e.g. {@code io.albtrace.instrumentation.okhttp.OutgoingCallKey}) is read too, and what it needs is added.
 * {@link LibraryCheck} checks the result against a class loader's class files before the advice is woven.
 */
final class References {

    /** The owner of a {@code @Advice.FieldValue}: the class the advice is woven into, whichever it is. */
    static final String WOVEN_CLASS = "";

    private References() {
    }

    /** How a member is used: what it must be in the library for that use to link. */
    enum Use {
        /** A class named anywhere (a type, an instance check, a cast, an array, a descriptor). */
        CLASS,
        /** {@code invokevirtual}: an instance method of a class. */
        VIRTUAL_METHOD,
        /** {@code invokeinterface}: an instance method of an interface. */
        INTERFACE_METHOD,
        /** {@code invokestatic}. */
        STATIC_METHOD,
        /** {@code invokespecial}: a constructor or a private or super method. */
        SPECIAL_METHOD,
        /** {@code getfield}/{@code putfield}, or {@code @Advice.FieldValue}. */
        INSTANCE_FIELD,
        /** {@code getstatic}/{@code putstatic}. */
        STATIC_FIELD
    }

    /** One thing an advice needs of a library: a class, or a member of a class. */
    static final class Reference {
        final Use use;
        /** Internal name of the class ({@code okhttp3/Headers}), or {@link #WOVEN_CLASS}. */
        final String owner;
        /** The member's name; null for a class. */
        final String name;
        /** The member's descriptor; null for a class, and for a {@code @Advice.FieldValue} (any type). */
        final String descriptor;
        /** Whether the code that names it says the owner is an interface; null when it does not say. */
        final Boolean ownerIsInterface;
        /** The advice or helper class that needs it (binary name), for messages. */
        final String source;

        Reference(Use use, String owner, String name, String descriptor, Boolean ownerIsInterface, String source) {
            this.use = use;
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.ownerIsInterface = ownerIsInterface;
            this.source = source;
        }

        String key() {
            return use + " " + owner + " " + name + " " + descriptor + " " + ownerIsInterface;
        }

        /** As a message says it: {@code method okhttp3.Headers.name(int) returning java.lang.String}. */
        String describe(String wovenClass) {
            String type = (owner.equals(WOVEN_CLASS) ? wovenClass : owner).replace('/', '.');
            switch (use) {
                case CLASS:
                    return "class " + type;
                case INSTANCE_FIELD:
                case STATIC_FIELD:
                    return (use == Use.STATIC_FIELD ? "static field " : "field ") + type + "." + name
                            + (descriptor == null ? "" : " of type " + Type.getType(descriptor).getClassName());
                default:
                    StringBuilder b = new StringBuilder(use == Use.STATIC_METHOD ? "static method " : "method ");
                    b.append(type).append('.').append(name).append('(');
                    Type[] arguments = Type.getArgumentTypes(descriptor);
                    for (int i = 0; i < arguments.length; i++) {
                        b.append(i == 0 ? "" : ", ").append(arguments[i].getClassName());
                    }
                    return b.append(") returning ").append(Type.getReturnType(descriptor).getClassName()).toString();
            }
        }

        @Override
        public String toString() {
            return describe("<woven>") + " (" + source + ")";
        }
    }

    /**
     * What {@code adviceClass} needs of a library: its own references and those of the helpers it names, in the
     * order met, each once.
     *
     * @param agentClassFiles the agent's class files by binary name (null when it has none), for the helpers
     */
    static List<Reference> of(String adviceClass, byte[] bytes, Function<String, byte[]> agentClassFiles) {
        Map<String, Reference> found = new LinkedHashMap<>();
        List<String> helpers = new ArrayList<>(1);
        collect(adviceClass, bytes, found, helpers, true);
        for (int i = 0; i < helpers.size(); i++) {
            String helper = helpers.get(i);
            byte[] helperBytes = agentClassFiles.apply(helper);
            if (helperBytes != null) {
                collect(helper, helperBytes, found, helpers, false);
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(found.values()));
    }

    /** Whether classes of this internal name belong to a library: not the JDK's {@code java.*}, not the agent's. */
    static boolean isLibrary(String internalName) {
        return !internalName.startsWith("java/") && !internalName.startsWith("io/albtrace/")
                && !internalName.startsWith("net/bytebuddy/") && !internalName.isEmpty();
    }

    private static void collect(String source, byte[] bytes, Map<String, Reference> found, List<String> helpers,
            boolean advice) {
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                if (superName != null) {
                    addClass(found, superName, source);
                }
                if (interfaces != null) {
                    for (String type : interfaces) {
                        addClass(found, type, source);
                    }
                }
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                    Object value) {
                addType(found, Type.getType(descriptor), source);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                addType(found, Type.getType(descriptor), source);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitParameterAnnotation(int parameter, String annotation,
                            boolean visible) {
                        if (!advice || !annotation.endsWith("/asm/Advice$FieldValue;")) {
                            return null;
                        }
                        return new AnnotationVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(String attribute, Object value) {
                                if ("value".equals(attribute) && value instanceof String) {
                                    add(found, new Reference(Use.INSTANCE_FIELD, WOVEN_CLASS, (String) value, null,
                                            null, source));
                                }
                            }
                        };
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        addType(found, Type.getObjectType(type), source);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        addType(found, Type.getType(descriptor), source);
                        if (owner.startsWith("[")) {
                            return;
                        }
                        addClass(found, owner, source);
                        if (isLibrary(owner)) {
                            Use use = opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC ? Use.STATIC_FIELD
                                    : Use.INSTANCE_FIELD;
                            add(found, new Reference(use, owner, name, descriptor, null, source));
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
                            boolean isInterface) {
                        addType(found, Type.getType(descriptor), source);
                        if (owner.startsWith("[")) {
                            addType(found, Type.getObjectType(owner), source); // clone() of an array
                            return;
                        }
                        addClass(found, owner, source);
                        if (isLibrary(owner)) {
                            Use use = opcode == Opcodes.INVOKESTATIC ? Use.STATIC_METHOD
                                    : opcode == Opcodes.INVOKEINTERFACE ? Use.INTERFACE_METHOD
                                    : opcode == Opcodes.INVOKESPECIAL ? Use.SPECIAL_METHOD : Use.VIRTUAL_METHOD;
                            add(found, new Reference(use, owner, name, descriptor, isInterface, source));
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Type) {
                            addType(found, (Type) value, source);
                        } else if (advice && value instanceof String && isHelperName((String) value)
                                && !helpers.contains(value)) {
                            helpers.add((String) value); // read only if the agent has such a class
                        }
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
                        addType(found, Type.getType(descriptor), source);
                    }

                    @Override
                    public void visitTryCatchBlock(net.bytebuddy.jar.asm.Label start, net.bytebuddy.jar.asm.Label end,
                            net.bytebuddy.jar.asm.Label handler, String type) {
                        if (type != null) {
                            addClass(found, type, source);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    }

    /** A string constant that may name one of the agent's instrumentation classes (a library helper). */
    private static boolean isHelperName(String value) {
        if (!value.startsWith("io.albtrace.instrumentation.") || value.length() > 200) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!Character.isJavaIdentifierPart(c) && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static void addType(Map<String, Reference> found, Type type, String source) {
        switch (type.getSort()) {
            case Type.ARRAY:
                addType(found, type.getElementType(), source);
                break;
            case Type.OBJECT:
                addClass(found, type.getInternalName(), source);
                break;
            case Type.METHOD:
                addType(found, type.getReturnType(), source);
                for (Type argument : type.getArgumentTypes()) {
                    addType(found, argument, source);
                }
                break;
            default:
                break;
        }
    }

    private static void addClass(Map<String, Reference> found, String internalName, String source) {
        if (isLibrary(internalName)) {
            add(found, new Reference(Use.CLASS, internalName, null, null, null, source));
        }
    }

    private static void add(Map<String, Reference> found, Reference reference) {
        found.putIfAbsent(reference.key(), reference);
    }
}
