package io.famfsrocks;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.famfsrocks.famfs.FaultPoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fault point declared in the main code of any module (a static final {@link
 * FaultPoint}) has a row in docs/reliability.md's "Fault points" table naming a test, and
 * every point the table names exists: a point added without a walk, or renamed, fails here.
 */
class FaultPointDocsTest {
    static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z]+\\.[a-z-]+)`");

    @Test
    void everyFaultPointHasARowWithItsTestAndEveryRowAPoint() throws Exception {
        List<String> declared = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.famfsrocks")) {
            for (JavaField f : c.getFields()) {
                if (f.getRawType().isEquivalentTo(FaultPoint.class) && f.getModifiers().contains(JavaModifier.STATIC)) {
                    java.lang.reflect.Field rf = f.reflect();
                    rf.setAccessible(true);
                    declared.add(((FaultPoint) rf.get(null)).name());
                }
            }
        }
        assertThat(declared).as("fault points in the main code").hasSizeGreaterThanOrEqualTo(11).doesNotHaveDuplicates();

        String doc = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("docs/reliability.md"));
        int from = doc.indexOf("## Fault points");
        assertThat(from).as("a Fault points section").isPositive();
        int to = doc.indexOf("\n## ", from + 3);
        String section = doc.substring(from, to < 0 ? doc.length() : to);
        java.util.Set<String> rows = new java.util.TreeSet<>();
        for (String line : section.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.add(m.group(1));
                assertThat(line).as("the row of %s names a test", m.group(1)).containsPattern("[A-Z][A-Za-z]*(Test|IT)[.`]");
            }
        }
        assertThat(rows).as("points with a row in docs/reliability.md")
                .containsExactlyInAnyOrderElementsOf(new java.util.TreeSet<>(declared));
    }
}
