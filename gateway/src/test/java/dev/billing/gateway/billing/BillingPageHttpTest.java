package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.gateway.http.GatewayHandler;
import dev.billing.gateway.http.HttpLimits;
import dev.billing.gateway.http.JettyServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The billing page and its script over HTTP: a policy with no inline script and no framing, and a page that needs none. */
class BillingPageHttpTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private Server server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        GatewayHandler routes = new GatewayHandler(HttpLimits.DEFAULTS, Runnable::run);
        routes.route(BillingPageHandler.PATH, new BillingPageHandler());
        server = JettyServers.create("billing-page-test", "127.0.0.1", 0, 2, HttpLimits.DEFAULTS, routes);
        server.start();
        base = URI.create("http://127.0.0.1:" + JettyServers.port(server));
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void thePageRunsOnlyTheGatewaysOwnScriptAndCannotBeFramed() throws Exception {
        HttpResponse<String> page = get("/billing");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).contains("frame-ancestors 'none'").contains("script-src 'self'");
        Matcher scriptSrc = Pattern.compile("script-src ([^;]*)").matcher(policy);
        assertThat(scriptSrc.find()).isTrue();
        assertThat(scriptSrc.group(1)).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        // every script element loads a file; no inline handlers either
        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(page.body());
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).contains("src=\"" + BillingPageHandler.SCRIPT_PATH + "\"");
            assertThat(scripts.group(2)).isBlank();
        }
        assertThat(count).isEqualTo(1);
        assertThat(page.body()).doesNotContainPattern("\\son[a-z]+\\s*=");

        HttpResponse<String> script = get(BillingPageHandler.SCRIPT_PATH);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("\"use strict\"").doesNotContain("<script");
    }

    @Test
    void otherPagesAndMethodsAreRefused() throws Exception {
        assertThat(get("/billing/other.js").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/billing"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(base.resolve("/billing"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
