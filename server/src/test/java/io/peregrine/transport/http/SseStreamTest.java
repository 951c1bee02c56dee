package io.peregrine.transport.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which resumptions a stream can honour without a gap the client would not see. */
class SseStreamTest {

    private static final byte[] DATA = SseStream.utf8("{}");

    @Test
    void aResumptionFromBeforeTheOldestKeptEventIsRefused() {
        SseStream s = new SseStream(1, false, 2);
        s.emit(null, false); // 0: the priming event, an id without data
        s.emit(DATA, false); // 1
        assertThat(s.canResumeAfter(0)).isTrue();
        s.emit(DATA, false); // 2
        s.emit(DATA, false); // 3: 1 is no longer kept
        assertThat(s.canResumeAfter(0)).as("event 1 would be skipped").isFalse();
        assertThat(s.canResumeAfter(1)).isTrue();
        assertThat(s.canResumeAfter(3)).isTrue();
        assertThat(s.eventId(3)).isEqualTo("1_3");
    }

    @Test
    void withNoEventsKeptOnlyAResumptionThatMissedNothingIsHonoured() {
        SseStream s = new SseStream(2, true, 0);
        s.emit(null, false); // 0
        assertThat(s.canResumeAfter(0)).isTrue();
        s.emit(DATA, false); // 1
        assertThat(s.canResumeAfter(0)).isFalse();
        assertThat(s.canResumeAfter(1)).isTrue();
    }
}
