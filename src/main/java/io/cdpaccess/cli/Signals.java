package io.cdpaccess.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Operating-system signals (SIGTERM, SIGINT, SIGHUP) through {@code sun.misc.Signal} of module
 * {@code jdk.unsupported}: the only way the JDK offers to turn SIGTERM into an orderly stop with
 * exit code 0, and SIGHUP into a reload. It is reached reflectively because javac's warning that
 * it is internal API cannot be suppressed, and the build treats warnings as errors; it has been
 * stable since Java 6 and is exported for exactly this use.
 */
final class Signals {

    private Signals() {}

    /**
     * Runs {@code action} on the thread the JVM gives each signal.
     *
     * @return false when this platform has no such signal (SIGHUP on Windows) or the JDK no
     *     {@code sun.misc.Signal}
     */
    static boolean handle(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object onSignal = Proxy.newProxyInstance(
                    handler.getClassLoader(),
                    new Class<?>[] {handler},
                    (proxy, method, args) -> handlerCall(proxy, method, args, action));
            Method install = signal.getMethod("handle", signal, handler);
            install.invoke(null, signal.getConstructor(String.class).newInstance(name), onSignal);
            return true;
        } catch (InvocationTargetException e) {
            return false; // IllegalArgumentException: "Unknown signal" or one the JVM reserves
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            return false;
        }
    }

    /** The proxy's methods: {@code handle(Signal)} runs the action; Object's methods behave as usual. */
    private static Object handlerCall(Object proxy, Method method, Object[] args, Runnable action) {
        switch (method.getName()) {
            case "handle" -> {
                action.run();
                return null;
            }
            case "equals" -> {
                return proxy == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            default -> {
                return "signal handler";
            }
        }
    }
}
