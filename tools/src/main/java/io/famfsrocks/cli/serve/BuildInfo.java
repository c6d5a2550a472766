package io.famfsrocks.cli.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from the jar's {@code famfs-rocks-version.properties}. */
final class BuildInfo {
    private BuildInfo() {}

    static String version() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/famfs-rocks-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
