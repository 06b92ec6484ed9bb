// An HTTP proxy in front of DynamoDB Local that checks every request's SigV4 signature with the
// AWS SDK for Java's own signer, because DynamoDB Local itself accepts any signature.
//
// Run with Java 17's single-file launcher and DynamoDB Local's jars on the class path:
//   java -cp "<emulator>/DynamoDBLocal_lib/*" SigV4VerifyingProxy.java <listen-port> <upstream-url>
// The secret key comes from DYNOMITE_VERIFY_SECRET, else AWS_SECRET_ACCESS_KEY; any access key
// id is accepted. With DYNOMITE_VERIFY_KEYS_FILE instead, only the keys that file lists are:
// one "<access key id> <secret> [<session token>]" per line, read again for every request (so
// whoever issues the keys can add and retire them while the proxy runs); a request whose access
// key id and session token match no line gets UnrecognizedClientException. A request that fails verification gets HTTP 400 with DynamoDB's error JSON and
// is logged to stderr; every other request is forwarded and its response relayed verbatim.

import com.amazonaws.DefaultRequest;
import com.amazonaws.SignableRequest;
import com.amazonaws.auth.AWS4Signer;
import com.amazonaws.auth.AWSCredentials;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.BasicSessionCredentials;
import com.amazonaws.auth.internal.AWS4SignerRequestParams;
import com.amazonaws.http.HttpMethodName;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

public final class SigV4VerifyingProxy {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final String SERVICE = "dynamodb";
    private static final String ERROR_PREFIX = "com.amazon.coral.service#";
    private static final DateTimeFormatter AMZ_DATE =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
    private static final List<String> REQUIRED_SIGNED_HEADERS =
        List.of("content-type", "host", "x-amz-date", "x-amz-target");
    // Hop-by-hop headers and the ones java.net.http computes itself.
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length",
        "date", "expect", "host", "keep-alive", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade");

    private SigV4VerifyingProxy() {}

    /** Why a request was refused: the DynamoDB error type (without its prefix) and message. */
    record Rejection(String type, String message, String canonicalRequest) {
        Rejection(String type, String message) { this(type, message, null); }
    }

    /** The secret of a key, or null when the key is not one the proxy accepts. */
    interface SecretSource {
        String secretFor(String accessKeyId, String sessionToken) throws IOException;
    }

    /** The keys listed in a file, read at each look-up. */
    record KeysFile(Path path) implements SecretSource {
        @Override
        public String secretFor(String accessKeyId, String sessionToken) throws IOException
        {
            List<String> lines;
            try {
                lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return null;
            }
            for (String line : lines) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 2 || fields.length > 3) {
                    continue;
                }
                String token = fields.length == 3 ? fields[2] : null;
                if (fields[0].equals(accessKeyId) && java.util.Objects.equals(token, sessionToken)) {
                    return fields[1];
                }
            }
            return null;
        }
    }

    record ParsedAuthorization(String accessKeyId, String scopeDate, String region,
                               String service, List<String> signedHeaders, String signature) {}

    /** The signer with the received request taken as it is: its Host header and exactly its
     *  signed headers, none added or dropped, so that the SDK computes what the client had to. */
    static final class RecordingSigner extends AWS4Signer {
        String canonicalRequest;
        String stringToSign;

        @Override
        protected String createCanonicalRequest(SignableRequest<?> request, String contentSha256)
        {
            canonicalRequest = super.createCanonicalRequest(request, contentSha256);
            return canonicalRequest;
        }

        @Override
        protected String createStringToSign(String canonical, AWS4SignerRequestParams params)
        {
            stringToSign = super.createStringToSign(canonical, params);
            return stringToSign;
        }

        @Override
        protected void addHostHeader(SignableRequest<?> request) {}

        @Override
        protected boolean shouldExcludeHeaderFromSigning(String header) { return false; }
    }

    static ParsedAuthorization parseAuthorization(String header)
    {
        if (!header.startsWith(ALGORITHM + " ")) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : header.substring(ALGORITHM.length() + 1).split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            if (eq <= 0 || fields.put(item.substring(0, eq), item.substring(eq + 1)) != null) {
                return null;
            }
        }
        String credential = fields.get("Credential");
        String signedHeaders = fields.get("SignedHeaders");
        String signature = fields.get("Signature");
        if (fields.size() != 3 || credential == null || signedHeaders == null
            || signature == null) {
            return null;
        }
        String[] scope = credential.split("/", -1);
        if (scope.length != 5 || scope[0].isEmpty() || !scope[1].matches("[0-9]{8}")
            || scope[2].isEmpty() || !scope[4].equals("aws4_request")) {
            return null;
        }
        return new ParsedAuthorization(scope[0], scope[1], scope[2], scope[3],
                                       List.of(signedHeaders.split(";", -1)), signature);
    }

    static String headerValue(Headers headers, String name)
    {
        List<String> values = headers.get(name);
        return values == null ? null : String.join(",", values);
    }

    /** Returns null when the request is signed correctly, with a key {@code secrets} knows, at
     *  {@code now}. */
    static Rejection verify(String method, URI uri, Headers headers, byte[] body,
                            SecretSource secrets, Instant now) throws IOException
    {
        String authorization = headerValue(headers, "authorization");
        if (authorization == null) {
            return new Rejection("MissingAuthenticationTokenException",
                                 "Request is missing Authentication Token");
        }
        ParsedAuthorization auth = parseAuthorization(authorization);
        if (auth == null) {
            return new Rejection("IncompleteSignatureException",
                "Authorization header requires '" + ALGORITHM + " Credential=<key>/<date>/"
                    + "<region>/<service>/aws4_request, SignedHeaders=<h1;h2>, Signature=<hex>'"
                    + ", got '" + authorization.replaceAll("Signature=\\S*", "Signature=...")
                    + "'");
        }
        if (!auth.service().equals(SERVICE)) {
            return new Rejection("InvalidSignatureException",
                "Credential should be scoped to correct service: '" + SERVICE + "', not '"
                    + auth.service() + "'.");
        }
        String amzDate = headerValue(headers, "x-amz-date");
        if (amzDate == null) {
            return new Rejection("IncompleteSignatureException",
                                 "Request is missing the X-Amz-Date header.");
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return new Rejection("IncompleteSignatureException",
                "X-Amz-Date must be in the ISO-8601 basic format yyyyMMdd'T'HHmmss'Z', got '"
                    + amzDate + "'.");
        }
        if (!amzDate.startsWith(auth.scopeDate())) {
            return new Rejection("InvalidSignatureException",
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    + "date from HTTP: '" + auth.scopeDate() + "' != '" + amzDate.substring(0, 8)
                    + "', from '" + amzDate + "'.");
        }
        if (signedAt.isBefore(now.minus(MAX_CLOCK_SKEW))) {
            return new Rejection("InvalidSignatureException", "Signature expired: " + amzDate
                + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_CLOCK_SKEW)
                .atOffset(ZoneOffset.UTC)) + " (" + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC))
                + " - 15 min.)");
        }
        if (signedAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            return new Rejection("InvalidSignatureException", "Signature not yet current: "
                + amzDate + " is still later than " + AMZ_DATE.format(now.plus(MAX_CLOCK_SKEW)
                .atOffset(ZoneOffset.UTC)) + " (" + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC))
                + " + 15 min.)");
        }
        String token = headerValue(headers, "x-amz-security-token");
        String secret = secrets.secretFor(auth.accessKeyId(), token);
        if (secret == null) {
            return new Rejection("UnrecognizedClientException",
                                 "The security token included in the request is invalid.");
        }
        for (String required : REQUIRED_SIGNED_HEADERS) {
            if (!auth.signedHeaders().contains(required)) {
                return new Rejection("InvalidSignatureException",
                    "SignedHeaders '" + String.join(";", auth.signedHeaders())
                        + "' must include '" + required + "'.");
            }
        }
        if (token != null && !auth.signedHeaders().contains("x-amz-security-token")) {
            return new Rejection("InvalidSignatureException",
                "The request carries X-Amz-Security-Token, so SignedHeaders '"
                    + String.join(";", auth.signedHeaders())
                    + "' must include 'x-amz-security-token'.");
        }
        String contentSha256 = headerValue(headers, "x-amz-content-sha256");
        if (contentSha256 != null && !contentSha256.equals(sha256Hex(body))) {
            return new Rejection("InvalidSignatureException",
                "X-Amz-Content-Sha256 '" + contentSha256 + "' is not the SHA-256 of the body.");
        }

        DefaultRequest<Void> request = new DefaultRequest<>(SERVICE);
        request.setHttpMethod(HttpMethodName.fromValue(method));
        request.setEndpoint(URI.create("http://localhost"));
        request.setResourcePath(uri.getRawPath() == null ? "" : uri.getRawPath());
        addQueryParameters(request, uri.getRawQuery());
        for (String name : auth.signedHeaders()) {
            String value = headerValue(headers, name);
            if (value == null) {
                return new Rejection("InvalidSignatureException",
                    "Signed header '" + name + "' is missing from the request.");
            }
            request.addHeader(name, value);
        }
        request.setContent(new ByteArrayInputStream(body));

        AWSCredentials credentials = token == null
            ? new BasicAWSCredentials(auth.accessKeyId(), secret)
            : new BasicSessionCredentials(auth.accessKeyId(), secret, token);
        RecordingSigner signer = new RecordingSigner();
        signer.setServiceName(auth.service());
        signer.setRegionName(auth.region());
        signer.setOverrideDate(Date.from(signedAt));
        signer.sign(request, credentials);

        ParsedAuthorization expected =
            parseAuthorization(request.getHeaders().get("Authorization"));
        if (expected == null || !expected.signedHeaders().equals(auth.signedHeaders())
            || !expected.signature().equals(auth.signature())) {
            String canonical = signer.canonicalRequest;
            if (token != null && canonical != null) {
                canonical = canonical.replace(token, "<session token>");
            }
            return new Rejection("InvalidSignatureException",
                "The request signature we calculated does not match the signature you "
                    + "provided. Check your AWS Secret Access Key and signing method. "
                    + "The String-to-Sign should have been '" + signer.stringToSign + "'",
                canonical);
        }
        return null;
    }

    static void addQueryParameters(DefaultRequest<?> request, String rawQuery)
    {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            request.addParameter(URLDecoder.decode(name, StandardCharsets.UTF_8),
                                 URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
    }

    static String sha256Hex(byte[] data)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String jsonString(String text)
    {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static final class Handler implements com.sun.net.httpserver.HttpHandler {
        private final URI upstream;
        private final SecretSource secrets;
        private final HttpClient client;
        private final AtomicLong rejected = new AtomicLong();

        Handler(URI upstream, SecretSource secrets)
        {
            this.upstream = upstream;
            this.secrets = secrets;
            this.client = HttpClient.newBuilder()
                              .version(HttpClient.Version.HTTP_1_1)
                              .connectTimeout(Duration.ofSeconds(5))
                              .build();
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException
        {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Rejection rejection;
                try {
                    rejection = verify(exchange.getRequestMethod(), exchange.getRequestURI(),
                                       exchange.getRequestHeaders(), body, secrets,
                                       Instant.now());
                } catch (IOException | RuntimeException e) {
                    rejection = new Rejection("InvalidSignatureException",
                                              "The signature could not be checked: " + e);
                }
                if (rejection != null) {
                    reject(exchange, body, rejection);
                } else {
                    forward(exchange, body);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("sigv4-proxy: request failed: " + e);
            }
        }

        private void reject(HttpExchange exchange, byte[] body, Rejection rejection)
            throws IOException
        {
            long count = rejected.incrementAndGet();
            StringBuilder log = new StringBuilder();
            log.append("sigv4-proxy: rejected #").append(count).append(' ')
                .append(exchange.getRequestMethod()).append(' ')
                .append(exchange.getRequestURI()).append(" (target ")
                .append(headerValue(exchange.getRequestHeaders(), "x-amz-target"))
                .append(", ").append(body.length).append(" body bytes): ")
                .append(rejection.type()).append(": ").append(rejection.message());
            if (rejection.canonicalRequest() != null) {
                log.append("\n--- canonical request computed by the SDK ---\n")
                    .append(rejection.canonicalRequest()).append("\n---");
            }
            System.err.println(log);
            byte[] json = ("{\"__type\":" + jsonString(ERROR_PREFIX + rejection.type())
                           + ",\"message\":" + jsonString(rejection.message()) + "}")
                              .getBytes(StandardCharsets.UTF_8);
            Headers out = exchange.getResponseHeaders();
            out.set("Content-Type", "application/x-amz-json-1.0");
            out.set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(400, json.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(json);
            }
        }

        private void forward(HttpExchange exchange, byte[] body) throws IOException
        {
            URI target = upstream.resolve(exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null
                       ? ""
                       : "?" + exchange.getRequestURI().getRawQuery()));
            HttpRequest.Builder request =
                HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(120))
                    .method(exchange.getRequestMethod(),
                            HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (String value : header.getValue()) {
                    request.header(header.getKey(), value);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                System.err.println("sigv4-proxy: upstream " + upstream + " failed: " + e);
                byte[] json = ("{\"__type\":\"" + ERROR_PREFIX + "InternalFailure\",\"message\":"
                               + jsonString("DynamoDB Local did not answer: " + e) + "}")
                                  .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(502, json.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(json);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + upstream, e);
            }
            Headers out = exchange.getResponseHeaders();
            for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
                String name = header.getKey();
                if (name.startsWith(":") || NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (String value : header.getValue()) {
                    out.add(name, value);
                }
            }
            byte[] responseBody = response.body();
            boolean bodiless = exchange.getRequestMethod().equals("HEAD")
                || response.statusCode() == 204 || response.statusCode() == 304;
            long length = bodiless || responseBody.length == 0 ? -1 : responseBody.length;
            exchange.sendResponseHeaders(response.statusCode(), length);
            if (!bodiless) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(responseBody);
                }
            }
        }
    }

    public static void main(String[] args) throws IOException
    {
        if (args.length != 2 || !args[0].matches("[0-9]{1,5}")) {
            System.err.println(
                "usage: java -cp '<emulator>/DynamoDBLocal_lib/*' SigV4VerifyingProxy.java "
                + "<listen-port> <upstream-url>");
            System.exit(2);
        }
        String keysFile = System.getenv("DYNOMITE_VERIFY_KEYS_FILE");
        String secret = System.getenv("DYNOMITE_VERIFY_SECRET");
        if (secret == null || secret.isEmpty()) {
            secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        }
        SecretSource secrets;
        if (keysFile != null && !keysFile.isEmpty()) {
            secrets = new KeysFile(Path.of(keysFile));
        } else if (secret != null && !secret.isEmpty()) {
            String shared = secret;
            secrets = (accessKeyId, sessionToken) -> shared;
        } else {
            System.err.println("sigv4-proxy: set DYNOMITE_VERIFY_SECRET or AWS_SECRET_ACCESS_KEY "
                               + "to the secret key the clients sign with, or "
                               + "DYNOMITE_VERIFY_KEYS_FILE to the file listing the keys");
            System.exit(2);
            return;
        }
        int port = Integer.parseInt(args[0]);
        URI upstream = URI.create(args[1]);
        HttpServer server =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        server.createContext("/", new Handler(upstream, secrets));
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        System.err.println("sigv4-proxy: listening on http://127.0.0.1:"
                           + server.getAddress().getPort() + ", verifying "
                           + (keysFile != null && !keysFile.isEmpty() ? "with the keys of "
                              + keysFile + " " : "") + "and forwarding to " + upstream);
    }
}
