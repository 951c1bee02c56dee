package io.peregrine;

import io.peregrine.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The connections and sessions the verbose health report shows follow the core's open and close events. */
class LiveCountsTest {

    @Test
    void countsWhatIsOpenRightNow() {
        LiveCounts counts = new LiveCounts();
        counts.connectionOpened(Transport.TCP);
        counts.connectionOpened(Transport.WEBSOCKET);
        counts.sessionStarted(Transport.HTTP);
        counts.connectionOpened(Transport.STDIO);
        counts.connectionClosed(Transport.TCP);
        assertThat(counts.connections()).isEqualTo(2);
        assertThat(counts.sessions()).isEqualTo(1);
        counts.sessionEnded(Transport.HTTP, 1_000);
        assertThat(counts.sessions()).isZero();
    }
}
