package io.famfsrocks;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules each {@code package-info.java} states, checked over the main classes of
 * every module (famfs-fs, rocks-env, tools: this module sees them all). A new import that
 * breaks one fails the build here. See {@code docs/architecture.md} for the map.
 */
@AnalyzeClasses(packages = "io.famfsrocks", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /**
     * Modules and famfs-fs's packages, one way: tools (cli) -> rocks-env (rocks) -> famfs-fs;
     * upper layers see only {@code famfs.fs}, {@code famfs.fuse} and {@code famfs.pool} (and
     * the exceptions); inside famfs-fs, {fuse, pool} -> fs -> {log, alloc} -> {format,
     * device}, and pool (devices and volumes of a pool) may also use format and device.
     */
    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("cli").definedBy("io.famfsrocks.cli..")
            .layer("rocks").definedBy("io.famfsrocks.rocks..")
            .layer("fuse").definedBy("io.famfsrocks.famfs.fuse..")
            .layer("pool").definedBy("io.famfsrocks.famfs.pool..")
            .layer("fs").definedBy("io.famfsrocks.famfs.fs..")
            .layer("log").definedBy("io.famfsrocks.famfs.log..")
            .layer("alloc").definedBy("io.famfsrocks.famfs.alloc..")
            .layer("format").definedBy("io.famfsrocks.famfs.format..")
            .layer("device").definedBy("io.famfsrocks.famfs.device..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("rocks").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("fuse").mayOnlyBeAccessedByLayers("cli", "rocks")
            .whereLayer("pool").mayOnlyBeAccessedByLayers("cli", "rocks")
            .whereLayer("fs").mayOnlyBeAccessedByLayers("fuse", "pool", "rocks", "cli")
            .whereLayer("log").mayOnlyBeAccessedByLayers("fs")
            .whereLayer("alloc").mayOnlyBeAccessedByLayers("fs")
            .whereLayer("format").mayOnlyBeAccessedByLayers("fs", "log", "alloc", "pool")
            .whereLayer("device").mayOnlyBeAccessedByLayers("fs", "log", "pool");

    /** The engine's exceptions (package {@code io.famfsrocks.famfs}) depend on nothing of ours. */
    @ArchTest
    static final ArchRule exceptionsStandAlone = classes().that().resideInAPackage("io.famfsrocks.famfs")
            .should().onlyDependOnClassesThat().resideOutsideOfPackages("io.famfsrocks.famfs.*..", "io.famfsrocks.rocks..",
                    "io.famfsrocks.cli..");

    /** Inside rocks-env: journal is the shared format; publish and replica never see each other. */
    @ArchTest
    static final ArchRule journalBelowSides = noClasses().that().resideInAPackage("io.famfsrocks.rocks.journal..")
            .should().dependOnClassesThat().resideInAnyPackage("io.famfsrocks.rocks.publish..",
                    "io.famfsrocks.rocks.replica..");

    /** Epochs are shared by both sides too: the control file's records, the pool reading. */
    @ArchTest
    static final ArchRule epochBelowSides = noClasses().that().resideInAPackage("io.famfsrocks.rocks.epoch..")
            .should().dependOnClassesThat().resideInAnyPackage("io.famfsrocks.rocks.publish..",
                    "io.famfsrocks.rocks.replica..");

    @ArchTest
    static final ArchRule publishIgnoresReplica = noClasses().that().resideInAPackage("io.famfsrocks.rocks.publish..")
            .should().dependOnClassesThat().resideInAPackage("io.famfsrocks.rocks.replica..");

    @ArchTest
    static final ArchRule replicaIgnoresPublish = noClasses().that().resideInAPackage("io.famfsrocks.rocks.replica..")
            .should().dependOnClassesThat().resideInAPackage("io.famfsrocks.rocks.publish..");

    /** The embedding handles (PrimaryDb, ReplicaDb) sit on top of rocks-env: nothing else in it depends on them. */
    @ArchTest
    static final ArchRule embedOnTop = noClasses().that().resideInAPackage("io.famfsrocks.rocks..")
            .and().resideOutsideOfPackage("io.famfsrocks.rocks.embed..")
            .should().dependOnClassesThat().resideInAPackage("io.famfsrocks.rocks.embed..");

    /** The HTTP face depends on its own ReplicaReads and the CLI's key encodings, nothing else of ours. */
    @ArchTest
    static final ArchRule serveStandsAlone = classes().that().resideInAPackage("io.famfsrocks.cli.serve..")
            .should().onlyDependOnClassesThat().resideOutsideOfPackages("io.famfsrocks.famfs..", "io.famfsrocks.rocks..",
                    "io.famfsrocks.cli.rocks..");

    /**
     * No package cycles in the engine or the bridge. (The CLI is one unit: {@code Main}
     * names the RocksDB verbs of {@code cli.rocks} as picocli subcommands, and they extend
     * {@code cli.Verb}; that pair is the one cycle, by design.)
     */
    @ArchTest
    static final ArchRule noCyclesInFamfs = slices().matching("io.famfsrocks.famfs.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesInRocks = slices().matching("io.famfsrocks.rocks.(*)..").should().beFreeOfCycles();
}
