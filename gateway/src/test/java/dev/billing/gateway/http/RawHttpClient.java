package dev.billing.gateway.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 by hand over a socket, for what a client library will not do: stop reading in the
 * middle of an answer, or send half a request.
 */
public final class RawHttpClient implements AutoCloseable {
    final Socket socket;
    private final BufferedReader in;

    public RawHttpClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends bytes as they are, e.g. a request line and some of its headers only. */
    public void sendRaw(String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void post(String path, String authorization, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        sendRaw("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
    }

    /** The next line of the answer (status line, header, chunk size or event line), or null at its end. */
    public String readLine() throws IOException {
        return in.readLine();
    }

    /** The JSON of the next {@code data:} event, skipping the status line, the headers and the chunk framing. */
    public String nextEvent() throws IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("data: ")) {
                return line.substring("data: ".length());
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
