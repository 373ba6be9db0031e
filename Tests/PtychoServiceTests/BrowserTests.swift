import Foundation
import PtychoTestSupport
import XCTest

/// The web page in a real browser: headless Chromium opens the access URL of the real `ptychite serve`,
/// fills in and submits the form with mouse clicks and typing, and watches the job complete on the page.
///
/// Needs Debian's `chromium` (installed by `.ci/install-system-packages`) or `PTYCHITE_CHROMIUM`. Without
/// a browser the test is skipped, except under CI (`CI` set), where it fails. The screenshot goes to
/// `PTYCHITE_TEST_ARTIFACTS` (default: `<tmp>/ptychite-test-artifacts`), which is kept.
final class BrowserTests: XCTestCase {
    func testSubmitThroughTheFormAndWatchTheJobComplete() throws {
        guard let chromium = HeadlessBrowser.executable() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { throw TestFailure("no chromium: run .ci/install-system-packages") }
            throw XCTSkip("no chromium (apt-get install chromium, or set PTYCHITE_CHROMIUM)")
        }
        let data = try TemporaryDirectory(prefix: "ptychite-browser-data-")
        let state = try TemporaryDirectory(prefix: "ptychite-browser-state-")
        XCTAssertEqual(try PtychiteBinary.run(["simulate", data.file("data.cxi"), "--frames", "60", "--frame-size", "64"]), 0)
        // Under a base path, as a portal's proxy serves it: every URL the page uses must be relative.
        let server = try ServerProcess(data: data.path, state: state.path, basePath: "/jupyter/instance-1")
        defer { _ = server.terminate() }
        let browser = try HeadlessBrowser(executable: chromium, profile: state.file("chromium-profile"),
                                          log: state.file("chromium.log"))
        defer { browser.quit() }
        try browser.openPage()

        // The access URL the service prints: the page trades the token for its cookie.
        try browser.navigate(server.baseURL.absoluteString + "?token=" + ServerProcess.token)
        XCTAssertTrue(try browser.wait(until: #"document.querySelector('#input option[value="data.cxi"]') !== null && document.querySelectorAll('#stages .stage').length === 1"#,
                                       timeout: 30), pageText(browser))
        XCTAssertEqual(try browser.evaluate("location.search") as? String, "", "the token left the address bar")
        XCTAssertEqual(try browser.evaluate("location.pathname") as? String, "/jupyter/instance-1/")
        XCTAssertEqual(try browser.evaluate("document.cookie") as? String, "", "the cookie is HttpOnly")

        // Fill in the form: plan DM:5,ePIE:2 (one stage edited, one added), a probe diameter typed in.
        XCTAssertEqual(try browser.evaluate("""
            (() => { const input = document.querySelector('#input'); input.value = 'data.cxi'; input.dispatchEvent(new Event('change'));
                     const count = document.querySelector('#stages .stage .iterations'); count.value = '5'; count.dispatchEvent(new Event('input'));
                     return input.value; })()
            """) as? String, "data.cxi")
        try browser.click("#add-stage")
        XCTAssertEqual(try browser.evaluate("document.querySelectorAll('#stages .stage').length") as? Int, 2)
        try browser.click("#stages .stage:nth-child(2) .iterations")
        _ = try browser.evaluate("document.querySelector('#stages .stage:nth-child(2) .iterations').select()")
        try browser.type("2")
        try browser.click("#probe-diameter")
        try browser.type("3")
        XCTAssertEqual(try browser.evaluate("document.querySelector('#plan-text').textContent") as? String, "DM:5,ePIE:2")
        try browser.click("#submit")

        // The page moves to the job's view and follows its event stream to the end.
        XCTAssertTrue(try browser.wait(until: "location.hash.startsWith('#/jobs/')", timeout: 15), pageText(browser))
        let id = String((try browser.evaluate("location.hash") as? String ?? "").dropFirst("#/jobs/".count))
        XCTAssertTrue(try browser.wait(until: """
            document.querySelector('#job-state').textContent === 'COMPLETE' && document.querySelectorAll('#results a').length > 0
              && !document.querySelector('#phase-preview').hidden && document.querySelector('#phase-preview img').complete
              && document.querySelector('#phase-preview img').naturalWidth > 0
            """, timeout: 60), pageText(browser))
        XCTAssertEqual(try browser.evaluate("document.querySelector('#job-percent').textContent") as? String, "100 %")
        XCTAssertEqual(try browser.evaluate("document.querySelector('#job-plan').textContent") as? String, "DM:5,ePIE:2")
        let links = try browser.evaluate("[...document.querySelectorAll('#results a')].map(a => a.getAttribute('href'))") as? [String] ?? []
        XCTAssertTrue(links.contains("api/v1/jobs/\(id)/results/result.h5"), "\(links)")
        // The link resolves below the base path and the cookie authenticates it.
        XCTAssertEqual(try browser.evaluate("""
            fetch(document.querySelector('#results a[download="result.h5"]').href).then(r => r.status + ' ' + new URL(r.url).pathname)
            """) as? String, "200 /jupyter/instance-1/api/v1/jobs/\(id)/results/result.h5")
        let points = try browser.evaluate("Number(document.querySelector('#error-line').getAttribute('data-points'))") as? Int ?? 0
        XCTAssertGreaterThanOrEqual(points, 2, "the error curve has points")
        XCTAssertTrue((try browser.evaluate("document.querySelector('#log').textContent") as? String ?? "").contains("Reconstructing"))
        let text = pageText(browser)
        XCTAssertTrue(text.contains("COMPLETE") && text.contains("100 %") && text.contains("result.h5"), text)

        let screenshot = try browser.screenshot()
        XCTAssertGreaterThan(screenshot.count, 1000)
        XCTAssertEqual(Array(screenshot.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature")
        let artifacts = ProcessInfo.processInfo.environment["PTYCHITE_TEST_ARTIFACTS"]
            ?? NSTemporaryDirectory() + "/ptychite-test-artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let saved = artifacts + "/web-page-job-complete.png"
        try screenshot.write(to: URL(fileURLWithPath: saved))
        print("BrowserTests: screenshot of the completed job's page: \(saved)")

        // Back on the list (a click on its link), the job's row says the same.
        try browser.click("#job-view a[href='#']")
        XCTAssertTrue(try browser.wait(until: """
            (() => { const row = document.querySelector('tr[data-job-id="\(id)"]');
                     return !!row && row.querySelector('.state').textContent === 'COMPLETE'
                       && row.querySelector('.percent').textContent === '100 %'; })()
            """, timeout: 10), pageText(browser))
        XCTAssertEqual(try server.json("api/v1/jobs/\(id)")["state"] as? String, "COMPLETE")
    }

    /// What the page shows, for failure messages.
    func pageText(_ browser: HeadlessBrowser) -> String {
        (try? browser.evaluate("document.body ? document.body.innerText : ''") as? String) ?? "(no page text)"
    }
}
