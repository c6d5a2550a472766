package io.famfsrocks.famfs;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * Dependencies run one way: {fuse, pool} -> fs -> {log, alloc} -> {format, device}; fuse
 * reaches nothing below fs; pool (a set of devices and volumes) may also use format and
 * device. (tools' ArchitectureTest checks the same across all modules.)
 */
@AnalyzeClasses(packages = "io.famfsrocks.famfs", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
            .layer("fuse").definedBy("..famfs.fuse..")
            .layer("pool").definedBy("..famfs.pool..")
            .layer("fs").definedBy("..famfs.fs..")
            .layer("log").definedBy("..famfs.log..")
            .layer("alloc").definedBy("..famfs.alloc..")
            .layer("format").definedBy("..famfs.format..")
            .layer("device").definedBy("..famfs.device..")
            .whereLayer("fuse").mayNotBeAccessedByAnyLayer()
            .whereLayer("pool").mayNotBeAccessedByAnyLayer()
            .whereLayer("fs").mayOnlyBeAccessedByLayers("fuse", "pool")
            .whereLayer("log").mayOnlyBeAccessedByLayers("fs")
            .whereLayer("alloc").mayOnlyBeAccessedByLayers("fs")
            .whereLayer("format").mayOnlyBeAccessedByLayers("log", "alloc", "fs", "pool")
            .whereLayer("device").mayOnlyBeAccessedByLayers("log", "fs", "pool");
}
