package jcn.notebooks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conda route ({@code environment.yml}) and the venv route ({@code requirements.txt})
 * must install the same versions, or a notebook could pass here and fail for a conda user.
 */
class EnvironmentPinsTest {

    private static final Pattern PIP_PIN = Pattern.compile("^([A-Za-z0-9_.-]+)==(\\S+)\\s*$");
    private static final Pattern CONDA_PIN = Pattern.compile("^\\s*-\\s*([A-Za-z0-9_.-]+)\\s*(==?|>=)\\s*(\\S+)\\s*$");

    static Map<String, String> requirements() throws IOException {
        Map<String, String> pins = new TreeMap<>();
        for (String line : Files.readAllLines(Harness.root().resolve("requirements.txt"))) {
            Matcher m = PIP_PIN.matcher(line);
            if (m.matches()) {
                pins.put(m.group(1).toLowerCase(), m.group(2));
            }
        }
        return pins;
    }

    static Map<String, String> environment() throws IOException {
        Map<String, String> pins = new TreeMap<>();
        for (String line : Files.readAllLines(Harness.root().resolve("environment.yml"))) {
            Matcher m = CONDA_PIN.matcher(line);
            if (m.matches()) {
                pins.put(m.group(1).toLowerCase(), m.group(2) + m.group(3));
            }
        }
        return pins;
    }

    @Test
    void everyPipPinHasTheSameVersionInEnvironmentYml() throws IOException {
        Map<String, String> pip = requirements();
        Map<String, String> conda = environment();
        assertTrue(pip.keySet().containsAll(java.util.List.of("jupyterlab", "jjava", "nbclient", "nbconvert")),
                "requirements.txt must pin jupyterlab, jjava, nbclient and nbconvert: " + pip);
        pip.forEach((name, version) -> {
            String other = conda.get(name);
            assertTrue(other != null, name + " is pinned in requirements.txt but missing from environment.yml");
            assertEquals(version, other.replaceFirst("^==?", ""),
                    name + " differs: requirements.txt has " + version + ", environment.yml has " + other);
        });
    }

    @Test
    void condaRouteBringsAJdkOfAtLeast21AndMaven() throws IOException {
        Map<String, String> conda = environment();
        String jdk = conda.get("openjdk");
        assertTrue(jdk != null && jdk.startsWith(">="), "environment.yml must ask for openjdk>=21, has " + jdk);
        assertTrue(Integer.parseInt(jdk.substring(2)) >= 21, "environment.yml's openjdk must be 21 or newer: " + jdk);
        String text = Files.readString(Harness.root().resolve("environment.yml"));
        assertTrue(text.contains("- maven"), "environment.yml must install maven (it builds the helper jar)");
        assertTrue(text.contains("conda-forge"), "environment.yml must use conda-forge");
    }
}
