package io.famfsrocks.cli;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place a test decides what to do when FUSE is missing: on a developer's machine
 * the test is skipped with the reason; under {@code CI=true} it fails with the same reason,
 * so a CI runner without /dev/fuse cannot turn the FUSE tests into silent skips.
 * (it-tests has its own copy: test classes are not shared between modules.)
 */
final class FuseAvailable {
    private FuseAvailable() {
    }

    /** True when the environment variable CI is "true" (GitHub Actions, GitLab and most CI services set it). */
    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Checks /dev/fuse and fusermount; skips (locally) or fails (CI) with what is missing. */
    static void require() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            unavailable("this test needs /dev/fuse (load the fuse module, or run the container with --device /dev/fuse)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/fusermount")) && !Files.isExecutable(Path.of("/bin/fusermount"))) {
            unavailable("this test needs fusermount (apt-get install fuse)");
        }
    }

    /** Skips the test with {@code reason}, or fails it under CI=true. */
    static void unavailable(String reason) {
        if (underCi()) {
            throw new AssertionError("FUSE unavailable under CI=true (a CI run must not skip FUSE tests): " + reason);
        }
        Assumptions.abort(reason + " (skipped; under CI=true this fails)");
    }
}
