package io.peregrine.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * A misbehaving newline-delimited JSON-RPC server for tests, on plain blocking sockets so that it
 * shares nothing with the code under test: each line is answered with what {@code answer} makes
 * of it (nothing when it returns null), written and flushed at once.
 */
final class LineServer implements AutoCloseable {

    private final ServerSocket socket;
    private final UnaryOperator<String> answer;

    LineServer(UnaryOperator<String> answer) throws IOException {
        this.answer = answer;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "line-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The integer id of a request line, or -1. */
    static long id(String line) {
        int i = line.indexOf("\"id\":");
        if (i < 0) {
            return -1;
        }
        int end = i + 5;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return Long.parseLong(line.substring(i + 5, end));
    }

    /** A success response with this id. */
    static String result(long id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}";
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> serve(s), "line-server-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = s.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String response = answer.apply(line);
                if (response != null) {
                    out.write((response + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the generator closed the connection at the end of its run
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
