package io.peregrine.fuzz;

/** What the fuzz targets share: whether Jazzer is fuzzing or replaying, and the leak check's rhythm. */
final class Fuzzing {

    private Fuzzing() {
    }

    /** True under {@code server/fuzz} (Jazzer's {@code JAZZER_FUZZ}); false when {@code mvn test} replays the corpus. */
    static boolean active() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        return fuzz != null && !fuzz.isEmpty();
    }

    /** Counts the inputs of one target and checks for leaks every {@link LeakWatch#period()}th. */
    static final class Rhythm {
        private long inputs;

        Rhythm() {
            LeakWatch.install();
        }

        void afterInput() {
            if (++inputs % LeakWatch.period() == 0) {
                LeakWatch.assertNoLeaks();
            }
        }
    }
}
