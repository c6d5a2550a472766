package io.famfsrocks.examples;

import io.famfsrocks.rocks.embed.ReplicaDb;
import io.famfsrocks.rocks.replica.Freshness;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads order KEY from a replica of famfs dataset "orders", waiting until the primary publishes it. */
public final class ReplicaExample {
    public static void main(String[] args) throws Exception {
        Path device = Path.of(args[0]);       // the same famfs device, seen from any host
        byte[] key = args[1].getBytes(StandardCharsets.UTF_8);

        try (ReplicaDb replica = ReplicaDb.builder(device, "orders").open()) {
            byte[] value = replica.get(key);
            while (value == null) {           // the replica follows the primary: a newer version may bring it
                Thread.sleep(100);
                value = replica.get(key);
            }
            Freshness f = replica.freshness();
            System.out.println(args[1] + " = " + new String(value, StandardCharsets.UTF_8)
                    + " (version " + f.appliedVersion() + ", lag " + f.lagMs() + " ms)");
        } // stops following, unmounts, deletes the replica's temporary files
    }
}
