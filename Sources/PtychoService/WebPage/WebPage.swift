import Foundation
import Hummingbird

/// The web page (`GET /` under the base path) and its two assets (`ui/app.js`, `ui/app.css`), all
/// compiled into the binary: nothing is loaded from elsewhere, and the Content-Security-Policy says so.
///
/// The page's routes need no credential: they hold no data (every job, input and result comes from the
/// API, which does). Instead, in `token` mode, opening the access URL (`…/?token=T`) with a valid token
/// sets the `ptychite_token` cookie (HttpOnly, so scripts cannot read it; SameSite=Strict, so other sites
/// cannot make the browser send it; Path = the base path) and redirects to the page without the token,
/// so that it stays out of the address bar, history and bookmarks; the page's `fetch` and `EventSource`
/// calls then authenticate with the cookie. A missing or wrong token still gets the page, which says how
/// to sign in when the API answers 401. The page uses only relative URLs, so it works under any base path;
/// a request for the base path without its trailing slash is redirected to it (relative URLs need it).
struct WebPage: Sendable {
    let basePath: String
    let authenticator: any Authenticator

    static let cookieName = "ptychite_token"

    func page(_ request: Request) -> Response {
        let pagePath = basePath + "/"
        if let token = authenticator.webSessionToken(for: request) {
            var headers = HTTPFields()
            headers[.location] = pagePath
            headers[.setCookie] = "\(Self.cookieName)=\(Self.cookieValue(token)); Path=\(basePath.isEmpty ? "/" : basePath); HttpOnly; SameSite=Strict"
            headers[.cacheControl] = "no-store"
            headers[.referrerPolicy] = "no-referrer"
            return Response(status: .seeOther, headers: headers)
        }
        if !request.uri.path.hasSuffix("/") {
            var headers = HTTPFields()
            headers[.location] = pagePath + (request.uri.query.map { "?" + $0 } ?? "")
            return Response(status: .permanentRedirect, headers: headers)
        }
        return Self.asset(WebPageHTML.text, type: "text/html; charset=utf-8")
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; object-src 'none'"
        headers[.contentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The token percent-encoded (cookie values may not hold `;`, `,`, spaces or quotes); the
    /// authenticator decodes it.
    static func cookieValue(_ token: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return token.addingPercentEncoding(withAllowedCharacters: allowed) ?? token
    }
}
