package dev.billing.gateway.client.admission;

/** The shared reservations cannot be read or written now: answer 503 with Retry-After, serve nothing. */
public final class ReservationsUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    public ReservationsUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
