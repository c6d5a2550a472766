package io.famfsrocks.famfs.fuse;

/** Why famfs refuses an operation through a mount, in words for the log: what to do instead. */
final class Unsupported {
    private Unsupported() {
    }

    static String why(String op) {
        switch (op) {
            case "create":
            case "mknod":
                return "famfs files have a fixed size set when they are created; create one with "
                        + "`famfs-rocks creat -s SIZE <file>` (or `famfs-rocks cp`), then write it through the mount";
            case "truncate":
            case "fallocate":
                return "famfs files never change size";
            case "chmod":
            case "chown":
            case "utimens":
                return "famfs keeps the mode and owner its log records";
            default:
                return "famfs never deletes, renames or links names";
        }
    }
}
