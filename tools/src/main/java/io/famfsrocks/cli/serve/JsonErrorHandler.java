package io.famfsrocks.cli.serve;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * The errors Jetty answers itself (an unparsable request, headers over the limit, a
 * timeout) in the API's JSON shape {@code {"error":"<code>","message":"..."}}, not Jetty's
 * HTML page. Thread-safe (stateless).
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
                                    Callback callback) {
        Reply r = reply(status, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.type());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
        response.write(true, ByteBuffer.wrap(r.body()), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        Reply r = reply(status, reason);
        fields.put(HttpHeader.CONTENT_TYPE, r.type());
        return ByteBuffer.wrap(r.body());
    }

    private static Reply reply(int status, String message) {
        ApiError e = ApiError.forStatus(status);
        return new Reply(status, "application/json", Reply.error(e, message == null || message.isBlank()
                ? "HTTP " + status : message.replace('\n', ' ')).body(), null);
    }
}
