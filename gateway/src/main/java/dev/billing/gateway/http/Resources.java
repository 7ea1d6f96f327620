package dev.billing.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Files the gateway serves from its jar. */
public final class Resources {
    private Resources() {}

    public static byte[] bytes(String name) {
        try (InputStream in = Resources.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the gateway's jar lacks " + name + "; rebuild it");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the gateway's jar", e);
        }
    }
}
