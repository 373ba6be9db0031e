import Foundation
import Hummingbird
import HummingbirdTesting
import PtychoService
import XCTest

/// The web page's routes in process: the page and its assets need no credential and load nothing from
/// elsewhere; the access URL's token becomes the page's cookie; the data-folder listing stays inside the root.
final class WebPageTests: XCTestCase {
    func testPageAndAssetsAreServedWithoutCredentialAndOnlyFromTheService() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/html; charset=utf-8")
                XCTAssertTrue(response.headers[HTTPFields.Element.Name("Content-Security-Policy")!]?.hasPrefix("default-src 'self'") == true)
                let html = String(buffer: response.body)
                XCTAssertTrue(html.contains(#"<script src="ui/app.js" defer>"#))
                XCTAssertTrue(html.contains(#"<form id="submit-form""#))
                XCTAssertFalse(html.contains("http://") || html.contains("https://") || html.contains("//cdn"), "no external assets")
            }
            for (path, type) in [("/ui/app.js", "text/javascript; charset=utf-8"), ("/ui/app.css", "text/css; charset=utf-8")] {
                try await client.execute(uri: path, method: .get) { response in
                    XCTAssertEqual(response.status, .ok, path)
                    XCTAssertEqual(response.headers[.contentType], type)
                    XCTAssertFalse(String(buffer: response.body).contains("https://"), path)
                }
            }
            // The script calls the API only with relative URLs (they resolve below the base path).
            try await client.execute(uri: "/ui/app.js", method: .get) { response in
                let script = String(buffer: response.body)
                XCTAssertTrue(script.contains(#"api("api/v1/jobs"#))
                XCTAssertFalse(script.contains(#""/api/"#))
            }
        }
    }

    func testAccessURLTokenBecomesTheCookie() async throws {
        let fixture = try ServiceFixture()
        try await fixture.test { client in
            let cookie = try await client.execute(uri: "/?token=\(ServiceFixture.aliceToken)", method: .get) { response -> String? in
                XCTAssertEqual(response.status, .seeOther)
                XCTAssertEqual(response.headers[.location], "/", "redirected to the page without the token")
                return response.headers[.setCookie]
            }
            XCTAssertEqual(cookie, "ptychite_token=\(ServiceFixture.aliceToken); Path=/; HttpOnly; SameSite=Strict")
            // The cookie the browser sends back authenticates the API.
            try await client.execute(uri: "/api/v1/service-info", method: .get,
                                     headers: [.cookie: "ptychite_token=\(ServiceFixture.aliceToken)"]) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(jsonObject(response.body)["user"] as? String, "alice")
            }
            // A wrong token gets the page (which explains how to sign in), and no cookie.
            try await client.execute(uri: "/?token=wrong", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertNil(response.headers[.setCookie])
            }
        }
    }

    func testPageUnderABasePath() async throws {
        let fixture = try ServiceFixture(basePath: "/jupyter/abc")
        try await fixture.test { client in
            try await client.execute(uri: "/jupyter/abc/", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/jupyter/abc/ui/app.js", method: .get) { XCTAssertEqual($0.status, .ok) }
            // Relative URLs need the trailing slash.
            try await client.execute(uri: "/jupyter/abc?x=1", method: .get) { response in
                XCTAssertEqual(response.status, .permanentRedirect)
                XCTAssertEqual(response.headers[.location], "/jupyter/abc/?x=1")
            }
            try await client.execute(uri: "/jupyter/abc/?token=\(ServiceFixture.aliceToken)", method: .get) { response in
                XCTAssertEqual(response.status, .seeOther)
                XCTAssertEqual(response.headers[.location], "/jupyter/abc/")
                XCTAssertEqual(response.headers[.setCookie],
                               "ptychite_token=\(ServiceFixture.aliceToken); Path=/jupyter/abc; HttpOnly; SameSite=Strict")
            }
        }
    }

    /// A token with characters a cookie value cannot hold travels percent-encoded and still authenticates.
    func testCookieOfAnUnusualTokenRoundTrips() async throws {
        let fixture = try ServiceFixture()
        let router = makeRouter(service: fixture.service, authenticator: TokenAuthenticator(tokens: ["t;o k%en": "carol"]))
        try await Application(router: router).test(.router) { client in
            let cookie = try await client.execute(uri: "/?token=t%3Bo%20k%25en", method: .get) { response -> String? in
                XCTAssertEqual(response.status, .seeOther)
                return response.headers[.setCookie]
            }
            let pair = try XCTUnwrap(cookie?.split(separator: ";").first.map(String.init))
            XCTAssertEqual(pair, "ptychite_token=t%3Bo%20k%25en")
            try await client.execute(uri: "/api/v1/service-info", method: .get, headers: [.cookie: pair]) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(jsonObject(response.body)["user"] as? String, "carol")
            }
        }
    }

    func testInputsListsDataFilesInsideTheRootOnly() async throws {
        let fixture = try ServiceFixture()
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: fixture.data.file(".hidden.cxi")))
        try FileManager.default.createSymbolicLink(atPath: fixture.data.file("alias.cxi"), withDestinationPath: "scan.cxi")
        try await fixture.test { client in
            try await client.execute(uri: "/api/v1/inputs", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/api/v1/inputs", method: .get,
                                     headers: ServiceFixture.headers(ServiceFixture.aliceToken)) { response in
                XCTAssertEqual(response.status, .ok)
                let listing = jsonObject(response.body)
                let paths = (listing["inputs"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
                // Not escape.cxi (a link out), nothing under escape-dir (a linked folder), no hidden file.
                XCTAssertEqual(paths, ["alias.cxi", "beamtime/scan2.cxi", "scan.cxi"])
                XCTAssertEqual((listing["inputs"] as? [[String: Any]])?.last?["size"] as? Int, 14)
                XCTAssertEqual(listing["truncated"] as? Bool, false)
            }
        }
    }
}
