/**
 * Process entry points for the end-to-end tests ({@code PrimaryMain}, {@code ReplicaMain})
 * and their argument parser: a primary publishing a deterministic workload, and replicas
 * checking their whole view against it. Test code: they ship in no product jar.
 */
package io.famfsrocks.it.harness;
