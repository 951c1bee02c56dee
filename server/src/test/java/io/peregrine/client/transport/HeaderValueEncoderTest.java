package io.peregrine.client.transport;

import io.peregrine.transport.http.HeaderValues;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The spec's encoding examples, and every value back through the server's decoder. */
class HeaderValueEncoderTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "us-west1|us-west1",
            "Hello, 世界|=?base64?SGVsbG8sIOS4lueVjA==?=",
            "' padded '|=?base64?IHBhZGRlZCA=?=",
            "'line1\nline2'|=?base64?bGluZTEKbGluZTI=?=",
            "=?base64?literal?=|=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=",
            "file:///projects/myapp/config.json|file:///projects/myapp/config.json",
    })
    void encodesAsTheSpecShowsAndTheServerDecodesIt(String value, String header) {
        assertThat(HeaderValueEncoder.encode(value)).isEqualTo(header);
        assertThat(HeaderValues.decode(header)).isEqualTo(value);
    }
}
