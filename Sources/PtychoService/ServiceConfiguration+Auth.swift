import Foundation
import Hummingbird

/// The settings of the `oidc` and `proxy` auth modes: environment variables and startup checks.
///
/// | variable | mode | meaning |
/// |---|---|---|
/// | `PTYCHITE_OIDC_ISSUER` | oidc | required; tokens' `iss` must equal it |
/// | `PTYCHITE_OIDC_AUDIENCE` | oidc | required; tokens' `aud` must contain it |
/// | `PTYCHITE_OIDC_JWKS` | oidc | required; the issuer's JWKS, an http(s) URL or a file |
/// | `PTYCHITE_OIDC_LEEWAY` | oidc | seconds of clock skew on `exp`/`nbf` (default 60) |
/// | `PTYCHITE_PROXY_USER_HEADER` | proxy | header naming the user (default `X-Forwarded-User`) |
/// | `PTYCHITE_PROXY_TRUSTED` | proxy | comma-separated addresses/CIDRs of the proxies (default `127.0.0.0/8,::1`) |
extension ServiceConfiguration {
    /// Reads the variables above through `value` (which maps `NAME` to `PTYCHITE_NAME`, nil when unset or
    /// empty); throws for a malformed one, naming it.
    mutating func readAuthSettings(_ value: (String) -> String?) throws {
        if let issuer = value("OIDC_ISSUER") { oidcIssuer = issuer }
        if let audience = value("OIDC_AUDIENCE") { oidcAudience = audience }
        if let jwks = value("OIDC_JWKS") { oidcJWKS = jwks }
        if let leeway = value("OIDC_LEEWAY") {
            guard let seconds = Double(leeway), seconds >= 0, seconds <= 3600 else {
                throw ServiceConfigurationError("PTYCHITE_OIDC_LEEWAY '\(leeway)' is not a number of seconds in 0...3600")
            }
            oidcLeewaySeconds = seconds
        }
        if let header = value("PROXY_USER_HEADER") { try setProxyUserHeader(header, setting: "PTYCHITE_PROXY_USER_HEADER") }
        if let trusted = value("PROXY_TRUSTED") { proxyTrusted = try AddressRange.list(trusted, setting: "PTYCHITE_PROXY_TRUSTED") }
    }

    public mutating func setProxyUserHeader(_ header: String, setting: String = "--proxy-user-header") throws {
        guard HTTPFields.Element.Name(header) != nil else {
            throw ServiceConfigurationError("\(setting) '\(header)' is not an HTTP header name")
        }
        proxyUserHeader = header
    }

    public mutating func setProxyTrusted(_ list: String, setting: String = "--proxy-trusted") throws {
        proxyTrusted = try AddressRange.list(list, setting: setting)
    }

    /// The startup checks of the `oidc` and `proxy` modes: every required setting is there and usable.
    /// Each error is one line naming the variable.
    func validateAuthSettings() throws {
        switch authMode {
        case .oidc:
            for (name, setting) in [("PTYCHITE_OIDC_ISSUER", oidcIssuer), ("PTYCHITE_OIDC_AUDIENCE", oidcAudience),
                                    ("PTYCHITE_OIDC_JWKS", oidcJWKS)]
            where (setting ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ServiceConfigurationError("auth mode oidc needs \(name) (see ptychite serve --help)")
            }
            if case .file(let path) = JWKSSource(oidcJWKS!), !FileManager.default.isReadableFile(atPath: path) {
                throw ServiceConfigurationError("PTYCHITE_OIDC_JWKS: cannot read the file \(path) (give a readable file or an http(s) URL)")
            }
        case .proxy:
            guard HTTPFields.Element.Name(proxyUserHeader) != nil else {
                throw ServiceConfigurationError("PTYCHITE_PROXY_USER_HEADER '\(proxyUserHeader)' is not an HTTP header name")
            }
            guard !proxyTrusted.isEmpty else {
                throw ServiceConfigurationError("auth mode proxy needs PTYCHITE_PROXY_TRUSTED (the proxies' addresses)")
            }
        case .token, .none:
            break
        }
    }
}
