/**
 * The complete examples docs/java-api.md shows, word for word ({@code JavaApiIT} checks the
 * doc against these sources and runs them as separate hosts). They use only what a user's
 * project sees: {@code rocks-env}'s {@code io.famfsrocks.rocks.embed} and rocksdbjni.
 */
package io.famfsrocks.examples;
