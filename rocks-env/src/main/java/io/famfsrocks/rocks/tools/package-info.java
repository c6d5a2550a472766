/**
 * The deterministic workload ({@code WorkloadModel}) and the whole-view check against it
 * ({@code ViewChecker}) that the demo, the tests and the benchmarks share. (The process
 * mains of the end-to-end tests live in it-tests, {@code io.famfsrocks.it.harness}.)
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.replica}, rocksdbjni.
 */
package io.famfsrocks.rocks.tools;
