package io.famfsrocks.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, as a test's real browser: loads a page, runs its script for a
 * budget of virtual time, and gives back the DOM as the script left it ({@code --dump-dom}).
 * Each load uses a fresh empty profile, deleted afterwards. Missing chromium skips the test
 * locally and fails it under {@code CI=true} (as {@link FuseAvailable} does for FUSE).
 * Stateless.
 */
final class HeadlessBrowser {
    private HeadlessBrowser() {}

    /** The chromium binary; skips (locally) or fails (CI) when it is not installed. */
    static Path require() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        String why = "this test needs chromium (scripts/install-deps installs it: apt-get install chromium)";
        if (FuseAvailable.underCi()) {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** The DOM of {@code url} after its scripts ran for {@code virtualMillis} of virtual time. */
    static String dumpDom(Path chromium, String url, int virtualMillis) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("famfs-status-page-chromium-");
        try {
            // As root chromium needs --no-sandbox; the rest keep it from reaching out or
            // starting services a test does not want (updates, sync, first-run pages).
            Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=" + virtualMillis,
                    "--dump-dom", url)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish loading " + url + " in 120 s");
            }
            String dom = out.join();
            if (p.exitValue() != 0 || dom.isBlank()) {
                throw new AssertionError("chromium exited " + p.exitValue() + " loading " + url + ", DOM: " + dom);
            }
            return dom;
        } finally {
            Launcher.deleteTree(profile);
        }
    }
}
