package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightRequestsTest {

    @Test
    void idsCountUpFromOneAndAnswersMayComeInAnyOrder() {
        InFlightRequests f = new InFlightRequests(2);
        assertThat(f.add(100)).isEqualTo(1);
        assertThat(f.add(200)).isEqualTo(2);
        assertThat(f.add(300)).isEqualTo(3);
        assertThat(f.remove(3)).isEqualTo(300);
        assertThat(f.remove(3)).as("answered twice").isEqualTo(InFlightRequests.ABSENT);
        assertThat(f.remove(4)).as("never sent").isEqualTo(InFlightRequests.ABSENT);
        assertThat(f.remove(ResponseParser.NO_ID)).isEqualTo(InFlightRequests.ABSENT);
        assertThat(f.removeOldest()).isEqualTo(100);
        assertThat(f.size()).isEqualTo(1);
        assertThat(f.remove(2)).isEqualTo(200);
        assertThat(f.isEmpty()).isTrue();
        assertThatThrownBy(f::removeOldest).isInstanceOf(java.util.NoSuchElementException.class);
    }

    /** One old request unanswered while thousands pass it: the ring grows to span them and loses none. */
    @Test
    void aLaggingAnswerMakesTheRingGrowWithoutLosingAStartTime() {
        InFlightRequests f = new InFlightRequests(4);
        long laggard = f.add(-7);
        Random random = new Random(42);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ids.add(f.add(i));
        }
        Collections.shuffle(ids, random);
        for (long id : ids) {
            assertThat(f.remove(id)).isEqualTo(id - 2);
        }
        assertThat(f.size()).isEqualTo(1);
        assertThat(f.remove(laggard)).isEqualTo(-7);
        assertThat(f.isEmpty()).isTrue();
    }

    @Test
    void clearForgetsWhatIsInFlightAndIdsGoOn() {
        InFlightRequests f = new InFlightRequests(8);
        f.add(1);
        f.add(2);
        f.clear();
        assertThat(f.isEmpty()).isTrue();
        assertThat(f.remove(1)).isEqualTo(InFlightRequests.ABSENT);
        assertThat(f.add(3)).isEqualTo(3);
    }
}
