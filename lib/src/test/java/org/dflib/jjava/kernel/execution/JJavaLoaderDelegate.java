package org.dflib.jjava.kernel.execution;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the JJava kernel's class store, with the names and fields the helper jar
 * reads by reflection (jcn.process.CellCode): lets a test hold "cell" classes that exist only
 * as bytes in this JVM, as a notebook's do, without starting a kernel.
 */
public class JJavaLoaderDelegate {

    final Map<String, byte[]> declaredClasses = new ConcurrentHashMap<>();
    final Map<String, Class<?>> loadedClasses = new ConcurrentHashMap<>();
    public final JJavaClassLoader loader = new JJavaClassLoader();

    /** Declares a class as a cell would: its bytes, loaded by {@link #loader} only. */
    public void declare(String name, byte[] bytes) {
        declaredClasses.put(name, bytes);
    }

    /** The kernel's loader: defines declared classes itself, asks its parent for the rest. */
    public class JJavaClassLoader extends URLClassLoader {

        JJavaClassLoader() {
            super(new URL[0], JJavaLoaderDelegate.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            byte[] bytes = declaredClasses.get(name);
            if (bytes == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = defineClass(name, bytes, 0, bytes.length);
                    loadedClasses.put(name, c);
                }
                return c;
            }
        }
    }
}
