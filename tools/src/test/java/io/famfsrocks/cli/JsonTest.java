package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {
    @Test
    void writesNestedObjectsListsAndEscapes() {
        String s = Json.write(Json.obj().put("a", 1).put("s", "q\"\\\n\u0001").put("nan", Double.NaN)
                .put("l", List.of(true, 2.5)).put("e", List.of()).put("n", null));
        assertThat(s).isEqualTo("{\n  \"a\": 1,\n  \"s\": \"q\\\"\\\\\\n\\u0001\",\n  \"nan\": null,\n"
                + "  \"l\": [\n    true,\n    2.5\n  ],\n  \"e\": [],\n  \"n\": null\n}");
    }
}
